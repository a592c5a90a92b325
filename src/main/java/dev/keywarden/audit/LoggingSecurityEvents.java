package dev.keywarden.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes security events to logger {@code keywarden.security}: alerts at WARN, the rest at INFO. */
public final class LoggingSecurityEvents implements SecurityEvents {

    private static final Logger LOG = LoggerFactory.getLogger("keywarden.security");

    @Override
    public void record(SecurityEvent e) {
        if (e.alert()) {
            LOG.warn("ALERT {} {} {}", e.type(), e.subject(), e.details());
        } else {
            LOG.info("{} {} {}", e.type(), e.subject(), e.details());
        }
    }
}
