package dev.keywarden.vault;

/**
 * Adding or rotating a provider key failed. The message says which step failed, why, and the state
 * both keys were left in (for a rotation: the old key active, the new one pending or revoked), and
 * what to do next. It names keys by id and fingerprint only.
 */
public final class RotationException extends RuntimeException {
    public RotationException(String message, Throwable cause) {
        super(message, cause);
    }

    public RotationException(String message) {
        super(message);
    }
}
