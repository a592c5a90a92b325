package dev.keywarden.vault;

import java.util.Optional;

/**
 * Chooses the provider key for an upstream call. The single-key environment source implements
 * it ({@link StaticProviderKeys}); the encrypted vault (rotation, revoke, failover) implements it
 * too.
 *
 * <p>Guarantee: a returned key is usable right now (not revoked). An empty result means no key
 * can serve the call, and the gateway refuses it with 503 rather than forwarding unauthenticated.
 */
public interface ProviderKeys {

    /** The key to use for a call on {@code route} (e.g. {@code messages}). */
    Optional<ProviderKey> select(String route);

    /**
     * Upstream answered {@code status} 401 or 403 for {@code key}: the key is no longer trusted.
     * Implementations with several keys mark it compromised, raise an alert, and make
     * {@link #select} return the next key of the same scope; the gateway then retries the call once.
     */
    default void rejectedByUpstream(ProviderKey key, int status) {
    }

    /**
     * Registers a call in flight on {@code key}. An emergency revoke of the key invokes
     * {@code abort} (the call is cut); draining waits for registrations to close.
     */
    default InFlight track(ProviderKey key, Runnable abort) {
        return InFlight.NONE;
    }

    /** Fingerprints only: used for start-up logs and health output. */
    String describe();

    /** A tracked in-flight call; close it when the call ends. */
    interface InFlight extends AutoCloseable {
        InFlight NONE = () -> { };

        @Override
        void close();
    }
}
