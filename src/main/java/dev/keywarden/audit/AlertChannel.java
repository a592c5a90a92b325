package dev.keywarden.audit;

/**
 * Where ALERT-class security events leave the host (the signed alert webhook). Implementations return
 * at once (delivery and retries run on their own thread), never throw, and put on the wire only the
 * event's own fields, which by contract hold identifiers and fingerprints, never a secret.
 */
public interface AlertChannel extends AutoCloseable {

    /** Queues {@code event} for delivery. */
    void send(SecurityEvent event);

    /** Where alerts go, for logs and {@code doctor}: scheme and host only (a URL's path may hold a token). */
    String target();

    /** Flushes pending deliveries (bounded wait) and releases resources. */
    @Override
    default void close() {
    }
}
