package dev.keywarden.vault;

/**
 * Checks a provider key against upstream with a cheap live call before the key is put into service.
 * Implementations must not keep the key, log it or put it into any result or exception.
 */
@FunctionalInterface
public interface UpstreamKeyVerifier {

    /** Asks upstream whether {@code secret} is a usable key. Never throws for an upstream answer; see {@link KeyVerification}. */
    KeyVerification verify(byte[] secret);
}
