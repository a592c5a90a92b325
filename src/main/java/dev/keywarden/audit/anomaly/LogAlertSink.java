package dev.keywarden.audit.anomaly;

import dev.keywarden.log.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every alert as one WARN line. Guarantee: the line passes through {@link Redactor}, so no
 * key shape, credential or header value reaches the log even if one slipped into an alert field,
 * and CR/LF cannot forge a line.
 */
public final class LogAlertSink implements AlertSink {

    private static final Logger LOG = LoggerFactory.getLogger("dev.keywarden.anomaly");

    @Override
    public void deliver(Alert alert) {
        LOG.warn("{}", line(alert));
    }

    static String line(Alert alert) {
        return Redactor.redact("anomaly alert " + alert.type() + " subject=" + alert.subject() + " at=" + alert.at()
                + alert.credential().map(c -> " credential_id=" + c).orElse("") + " " + alert.details());
    }
}
