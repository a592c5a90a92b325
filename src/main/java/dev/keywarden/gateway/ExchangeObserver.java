package dev.keywarden.gateway;

/**
 * Told about every finished request, exactly once, after the response is complete or failed.
 * Implementations must be fast and must not throw (the gateway logs and ignores a throw).
 */
@FunctionalInterface
public interface ExchangeObserver {
    void onExchange(ExchangeRecord record);
}
