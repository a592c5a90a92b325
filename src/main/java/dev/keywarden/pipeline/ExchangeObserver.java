package dev.keywarden.pipeline;

/**
 * Told about every finished request, exactly once. Implementations must be fast and must not
 * throw (the gateway logs and ignores a throw) — except a {@link #required()} observer: for a
 * relayed response it runs before the response completes, and if it throws, the response is
 * failed instead of completed (strict audit: no answer without its durable record).
 */
@FunctionalInterface
public interface ExchangeObserver {
    void onExchange(ExchangeRecord record);

    /** Whether a response may complete only after this observer succeeded. */
    default boolean required() {
        return false;
    }
}
