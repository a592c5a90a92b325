package dev.keywarden.vault;

import dev.keywarden.store.LastUsedBatch;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * When each provider key was last used. The request path {@linkplain #note notes} a use in memory
 * (at most once per {@link #RESOLUTION} per key, so a busy key costs no map write per call); the
 * times reach the store in one batch per {@link #flush} (see {@link LastUsedBatch} for what a
 * failed write keeps).
 */
final class LastUseLog {

    /** Uses of one key closer together than this are noted once. */
    static final Duration RESOLUTION = Duration.ofSeconds(1);

    private final Clock clock;
    private final ConcurrentHashMap<String, Long> lastNoted = new ConcurrentHashMap<>();
    private final LastUsedBatch pending;

    /** @param writer writes one batch of times (key id to epoch millis), normally {@code ProviderKeyStore::updateLastUsed} */
    LastUseLog(Clock clock, Consumer<Map<String, Long>> writer) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pending = new LastUsedBatch(writer);
    }

    /** Notes that key {@code id} serves a call now. */
    void note(String id) {
        long now = clock.millis();
        Long last = lastNoted.get(id);
        if (last == null || now - last >= RESOLUTION.toMillis()) {
            lastNoted.put(id, now);
            pending.record(id, now);
        }
    }

    /**
     * Writes the pending times to the store.
     *
     * @return how many keys were written
     * @throws RuntimeException from the store; the times are kept for the next flush
     */
    int flush() {
        return pending.flush();
    }
}
