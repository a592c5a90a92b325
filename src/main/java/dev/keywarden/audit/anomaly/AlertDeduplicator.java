package dev.keywarden.audit.anomaly;

import java.time.Duration;
import java.time.Instant;

/**
 * Lets an alert through at most once per detector and subject per cool-down (measured on the
 * records' own timestamps). Remembers at most {@code capacity} detector/subject pairs. Not thread-safe.
 */
final class AlertDeduplicator {

    private final Duration cooldown;
    private final BoundedMap<String, Instant> lastRaised;

    AlertDeduplicator(Duration cooldown, int capacity) {
        this.cooldown = cooldown;
        this.lastRaised = new BoundedMap<>(capacity);
    }

    /** True when {@code alert} is the first for its detector and subject within the cool-down. */
    boolean firstWithinCooldown(Alert alert) {
        String key = alert.detector() + '\u0000' + alert.subject();
        Instant last = lastRaised.get(key);
        if (last != null && alert.at().isBefore(last.plus(cooldown)) && !alert.at().isBefore(last)) {
            return false;
        }
        lastRaised.put(key, alert.at());
        return true;
    }
}
