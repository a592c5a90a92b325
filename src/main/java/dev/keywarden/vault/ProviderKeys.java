package dev.keywarden.vault;

import java.util.Optional;

/**
 * Chooses the provider key for an upstream call. The single-key environment source implements
 * it today; the encrypted vault (rotation, revoke, failover) implements it later.
 *
 * <p>Guarantee: a returned key is usable right now (not revoked). An empty result means no key
 * can serve the call, and the gateway refuses it with 503 rather than forwarding unauthenticated.
 */
public interface ProviderKeys {

    /** The key to use for a call on {@code route} (e.g. {@code messages}). */
    Optional<ProviderKey> select(String route);

    /** Fingerprints only: used for start-up logs and health output. */
    String describe();
}
