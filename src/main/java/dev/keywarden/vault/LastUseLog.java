package dev.keywarden.vault;

import dev.keywarden.store.ProviderKeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each provider key was last used. The request path {@linkplain #note notes} a use in memory
 * (at most once per {@link #RESOLUTION} per key, so a busy key costs no map write per call); the
 * times reach the store in one batch per {@link #flush}. Guarantee: a time that could not be written
 * stays pending and goes out with the next flush, never older than a later one.
 */
final class LastUseLog {

    /** Uses of one key closer together than this are noted once. */
    static final Duration RESOLUTION = Duration.ofSeconds(1);

    private final Clock clock;
    private final ConcurrentHashMap<String, Long> lastNoted = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();

    LastUseLog(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Notes that key {@code id} serves a call now. */
    void note(String id) {
        long now = clock.millis();
        Long last = lastNoted.get(id);
        if (last == null || now - last >= RESOLUTION.toMillis()) {
            lastNoted.put(id, now);
            pending.merge(id, now, Math::max);
        }
    }

    /**
     * Writes the pending times to {@code store}.
     *
     * @return how many keys were written
     * @throws RuntimeException from the store; the batch is kept for the next flush
     */
    synchronized int flush(ProviderKeyStore store) {
        if (pending.isEmpty()) {
            return 0;
        }
        Map<String, Long> batch = new HashMap<>(pending);
        batch.forEach(pending::remove);
        try {
            store.updateLastUsed(batch);
            return batch.size();
        } catch (RuntimeException e) {
            batch.forEach((id, time) -> pending.merge(id, time, Math::max));
            throw e;
        }
    }
}
