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
     * Upstream answered {@code status} (401 or 403) for {@code key}. A 401 means upstream no longer
     * accepts the key: the vault marks it compromised, raises an alert and makes {@link #select} return
     * the next active key of the same scope, on which the gateway retries the call once. A 403 concerns
     * the requested resource, not the key's validity: the vault keeps the key active and records a
     * {@code provider_key.permission_denied} security event (at most one per key a minute), so
     * {@link #select} returns the same key and the 403 reaches the client. The default (one static key,
     * nothing to switch to) does nothing.
     */
    default void rejectedByUpstream(ProviderKey key, int status) {
    }

    /**
     * Upstream answered a call made with {@code key} with a success (2xx): a store that stopped trusting the key
     * after a 401 may trust it again. Called on the request path, so it must be cheap. The default does nothing.
     */
    default void acceptedByUpstream(ProviderKey key) {
    }

    /**
     * Registers a call in flight on {@code key}. An emergency revoke of the key invokes
     * {@code abort} (the call is cut); draining waits for registrations to close.
     */
    default InFlight track(ProviderKey key, Runnable abort) {
        return InFlight.NONE;
    }

    /**
     * Why no key can serve calls right now (the vault is sealed, every key was revoked, found compromised or
     * rejected upstream), for {@code /readyz}; empty while at least one key can. The text is shown to anyone
     * who asks {@code /readyz}: it names no key, fingerprint or host. Cheap: no store or upstream call.
     */
    default Optional<String> unavailable() {
        return Optional.empty();
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
