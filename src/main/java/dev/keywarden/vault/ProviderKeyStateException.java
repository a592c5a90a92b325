package dev.keywarden.vault;

/**
 * A life-cycle operation on a provider key cannot be done: the key is unknown, or its state does
 * not allow the move (e.g. activating a revoked key), or another process changed it first. The
 * message names the key by id and fingerprint and says what to do; it never holds key material.
 */
public final class ProviderKeyStateException extends RuntimeException {
    public ProviderKeyStateException(String message) {
        super(message);
    }
}
