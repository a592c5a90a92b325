package dev.keywarden.store;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Last-use times of keys (id to epoch millis) held in memory and written in one batch per
 * {@link #flush}, so the request path never writes to the database. Guarantees: a time never moves
 * backwards; a time recorded while a flush runs is kept for the next one; when the write fails,
 * the batch is kept (merged with anything newer) for the next flush and the failure is rethrown.
 */
public final class LastUsedBatch {

    private final Consumer<Map<String, Long>> writer;
    private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();

    /** @param writer writes one batch, e.g. {@code store::updateLastUsed}; throws when it cannot */
    public LastUsedBatch(Consumer<Map<String, Long>> writer) {
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    /** Notes that key {@code id} was used at {@code epochMillis} (a later time already noted wins). */
    public void record(String id, long epochMillis) {
        pending.merge(id, epochMillis, Math::max);
    }

    /**
     * Writes every pending time.
     *
     * @return how many keys were written
     * @throws RuntimeException from the writer; nothing pending is lost
     */
    public synchronized int flush() {
        if (pending.isEmpty()) {
            return 0;
        }
        Map<String, Long> batch = new HashMap<>(pending);
        batch.forEach(pending::remove); // removes only unchanged entries: times recorded since the snapshot stay
        try {
            writer.accept(batch);
            return batch.size();
        } catch (RuntimeException e) {
            batch.forEach(this::record);
            throw e;
        }
    }
}
