package dev.keywarden.vault.crypto;

/** A vault operation failed (tamper, wrong KEK, unavailable KMS). The message never holds key material. */
public class VaultException extends RuntimeException {
    public VaultException(String message) {
        super(message);
    }

    public VaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
