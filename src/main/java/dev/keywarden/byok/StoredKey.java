package dev.keywarden.byok;

import dev.keywarden.vault.crypto.Argon2idParams;
import dev.keywarden.vault.crypto.SealedSecret;

/**
 * A user's own key as the database keeps it (server-held or sealed): the ciphertext and what is needed to open it
 * with the vault KEK ({@code envelope}) or the user's passphrase ({@code salt}, {@code kdf}); never the key.
 *
 * @param envelope server-held: the envelope-encrypted key; null for a sealed key
 * @param salt     sealed: the Argon2id salt; null for a server-held key
 * @param kdf      sealed: the Argon2id parameters; null for a server-held key
 * @param sealedKey sealed: the key under the passphrase-derived key; null for a server-held key
 */
record StoredKey(String userId, String keyId, String principalId, ByokMode mode, String fingerprint, boolean invalid,
                 SealedSecret envelope, byte[] salt, Argon2idParams kdf, byte[] sealedKey, long createdAt) {

    /** The record id the envelope cipher binds a server-held key to: the user and the key. */
    static String recordId(String userId, String keyId) {
        return "byok/" + userId + "/" + keyId;
    }

    @Override
    public String toString() {
        return "StoredKey[" + keyId + " " + mode.wireName() + " " + fingerprint + (invalid ? " invalid" : "") + "]";
    }
}
