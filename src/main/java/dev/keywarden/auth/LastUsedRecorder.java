package dev.keywarden.auth;

import dev.keywarden.store.LastUsedBatch;
import dev.keywarden.store.VirtualKeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers in memory when each virtual key was last used and writes those times to the store in
 * one batch per {@link #flush()}, so authentication never writes to the database per request. A
 * failed flush keeps the times for the next attempt; a time recorded during a flush is not lost.
 */
final class LastUsedRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(LastUsedRecorder.class);

    private final LastUsedBatch pending;

    LastUsedRecorder(VirtualKeyStore store) {
        this.pending = new LastUsedBatch(store::updateLastUsed);
    }

    void record(String keyId, long epochMillis) {
        pending.record(keyId, epochMillis);
    }

    /** Writes every pending time; returns how many keys were written. */
    int flush() {
        return pending.flush();
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
