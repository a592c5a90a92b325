package dev.keywarden.vault.crypto;

/**
 * Seals and opens provider keys with envelope encryption (AEAD under a per-record data key, the
 * data key wrapped by the current KEK).
 *
 * <p>Guarantees: a sealed secret opens only for the record id it was sealed for; any changed
 * byte, a wrong KEK or a wrong passphrase fails with {@link VaultException} whose message names
 * the record and the reason and never contains key material; while the vault is sealed every
 * operation fails with {@link VaultSealedException}.
 */
public interface SecretCipher {

    SealedSecret seal(String recordId, byte[] plaintext);

    /** The plaintext; callers must not keep it longer than needed and never turn it into text output. */
    byte[] open(String recordId, SealedSecret sealed);

    /** Re-wraps the data key under the current KEK version; the secret itself is never decrypted. */
    SealedSecret rewrap(String recordId, SealedSecret sealed);

    /** True until the KEK is available (e.g. before {@code keywarden vault unseal} with a passphrase KEK). */
    boolean sealed();
}
