package dev.keywarden.audit.anomaly;

import java.time.Duration;
import java.time.Instant;

/**
 * Lets an alert through at most once per detector and subject per cool-down (measured on the
 * records' own timestamps; a record slightly out of order cannot reopen the cool-down). Remembers at most {@code capacity} detector/subject pairs. Not thread-safe.
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
        if (last != null && Duration.between(last, alert.at()).abs().compareTo(cooldown) < 0) {
            return false;
        }
        lastRaised.put(key, last != null && last.isAfter(alert.at()) ? last : alert.at());
        return true;
    }
}
