package dev.keywarden.vault.crypto;

import java.security.GeneralSecurityException;

/**
 * A remote KMS could not answer (refused the credentials, unreachable, server error), as opposed
 * to a ciphertext that does not open. Thrown by the KMS {@code Aead}s so the vault can tell
 * "check your KMS access" apart from "wrong KEK". The message names the KMS, key and HTTP status
 * and never contains key material or the server's free text.
 */
public class KmsUnavailableException extends GeneralSecurityException {
    public KmsUnavailableException(String message) {
        super(message);
    }

    public KmsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
