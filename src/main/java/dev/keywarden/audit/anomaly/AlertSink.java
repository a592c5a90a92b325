package dev.keywarden.audit.anomaly;

/**
 * Where raised alerts go (the log, the audit trail, a webhook). Called on the detector thread:
 * implementations return quickly (slow delivery goes to their own thread), never throw, and never
 * put a secret into what they write.
 */
@FunctionalInterface
public interface AlertSink extends AutoCloseable {

    void deliver(Alert alert);

    /** Flushes pending deliveries (bounded wait) and releases resources. */
    @Override
    default void close() {
    }
}
