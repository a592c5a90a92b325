package dev.keywarden.audit;

/**
 * The key that signs the audit trail's checkpoints, so a copy of the database alone cannot forge
 * them. The server secret is one ({@code auth.ServerSecret} implements this); the audit package
 * needs nothing else of it.
 */
@FunctionalInterface
public interface ChainKey {

    /** HMAC-SHA-256 of the UTF-8 bytes of {@code message}. */
    byte[] hmac(String message);
}
