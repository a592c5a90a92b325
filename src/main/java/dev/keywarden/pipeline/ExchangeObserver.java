package dev.keywarden.pipeline;

/**
 * Told about every finished call, exactly once, before the client can see the response end (the
 * {@link Pipeline} writes the last bytes after the observers ran). Implementations must be fast and
 * must not throw (the pipeline logs and ignores a throw) — except a {@link #required()} observer: if
 * it throws, the response is not completed (strict audit: no answer without its durable record).
 */
@FunctionalInterface
public interface ExchangeObserver {

    /** Observes nothing. */
    ExchangeObserver NONE = record -> { };

    void onExchange(ExchangeRecord record);

    /** Whether a response may complete only after this observer succeeded. */
    default boolean required() {
        return false;
    }
}
