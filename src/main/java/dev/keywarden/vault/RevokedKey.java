package dev.keywarden.vault;

import dev.keywarden.store.ProviderKeyRecord;

/**
 * What a revoke did: the key as revoked, how many calls in flight on it were cut in this process,
 * and whether it was the environment's last active key (then every call fails until another key is
 * active, and the event was an alert).
 */
public record RevokedKey(ProviderKeyRecord key, int callsCut, boolean wasLastActive) {
}
