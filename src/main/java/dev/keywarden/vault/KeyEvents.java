package dev.keywarden.vault;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.store.ProviderKeyRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the vault's {@code provider_key.*} security events go. Guarantees: recording never throws
 * (the sink contract says it must not; a sink that does anyway is logged and the caller carries on),
 * and an event recorded through {@link #recordThrottled} with the same throttle key is recorded at
 * most once per {@link #THROTTLE} of the clock, so a key that upstream keeps refusing cannot flood
 * the audit trail.
 */
final class KeyEvents {

    private static final Logger LOG = LoggerFactory.getLogger(KeyEvents.class);

    /** The shortest time between two throttled events with the same key. */
    static final Duration THROTTLE = Duration.ofMinutes(1);

    private final SecurityEvents sink;
    private final Clock clock;
    private final ConcurrentHashMap<String, Long> lastRecorded = new ConcurrentHashMap<>();

    KeyEvents(SecurityEvents sink, Clock clock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records {@code event}; a failing sink is logged, never propagated. */
    void record(SecurityEvent event) {
        try {
            sink.record(event);
        } catch (RuntimeException e) {
            LOG.error("security event sink failed for {}: {}", event.type(), e.toString());
        }
    }

    /**
     * Records the event {@code event} builds unless one with {@code throttleKey} was recorded less than
     * {@link #THROTTLE} ago.
     *
     * @return true when it was recorded
     */
    boolean recordThrottled(String throttleKey, Supplier<SecurityEvent> event) {
        long now = clock.millis();
        long throttle = THROTTLE.toMillis();
        boolean[] due = {false};
        lastRecorded.compute(throttleKey, (k, last) -> {
            if (last != null && now - last < throttle) {
                return last;
            }
            due[0] = true;
            return now;
        });
        if (due[0]) {
            record(event.get());
        }
        return due[0];
    }

    /** The details every event about {@code key} starts with (a mutable map to add to): fingerprints, environment, state. */
    static Map<String, String> details(ProviderKeyRecord key) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("fingerprint", key.displayFingerprint());
        d.put("sha256", key.shortSha256());
        d.put("environment", key.environment().id());
        d.put("state", key.state().id());
        return d;
    }
}
