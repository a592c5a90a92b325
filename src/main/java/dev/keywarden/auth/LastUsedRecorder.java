package dev.keywarden.auth;

import dev.keywarden.store.VirtualKeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers in memory when each virtual key was last used and writes those times to the store in
 * one batch per {@link #flush()}, so authentication never writes to the database per request. A
 * failed flush keeps the times for the next attempt; a time recorded during a flush is not lost.
 */
final class LastUsedRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(LastUsedRecorder.class);

    private final VirtualKeyStore store;
    private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();

    LastUsedRecorder(VirtualKeyStore store) {
        this.store = store;
    }

    void record(String keyId, long epochMillis) {
        pending.put(keyId, epochMillis);
    }

    /** Writes every pending time; returns how many keys were written. */
    synchronized int flush() {
        if (pending.isEmpty()) {
            return 0;
        }
        Map<String, Long> batch = new HashMap<>(pending);
        batch.forEach((id, time) -> pending.remove(id, time)); // keeps times recorded since the snapshot
        try {
            store.updateLastUsed(batch);
            return batch.size();
        } catch (RuntimeException e) {
            batch.forEach((id, time) -> pending.merge(id, time, Math::max));
            throw e;
        }
    }

    /** Like {@link #flush()}, but logs a failure instead of throwing (for the background flusher). */
    void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("could not record when virtual keys were last used (will retry): {}", e.getMessage());
        }
    }
}
