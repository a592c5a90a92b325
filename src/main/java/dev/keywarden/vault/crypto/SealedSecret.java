package dev.keywarden.vault.crypto;

import java.util.Arrays;

/**
 * A provider key at rest: its ciphertext under a per-record data key, and that data key wrapped
 * by a key-encryption key (KEK). {@code kekId} names the KEK (e.g. {@code local}, a KMS key URI)
 * and {@code kekVersion} its version, so a KEK rotation can re-wrap data keys without touching
 * the ciphertext. Both ciphertexts are bound to the record id by associated data.
 */
public record SealedSecret(String kekId, int kekVersion, byte[] wrappedDataKey, byte[] ciphertext) {

    @Override
    public boolean equals(Object o) {
        return o instanceof SealedSecret s && kekId.equals(s.kekId) && kekVersion == s.kekVersion
                && Arrays.equals(wrappedDataKey, s.wrappedDataKey) && Arrays.equals(ciphertext, s.ciphertext);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ciphertext) + kekVersion;
    }

    @Override
    public String toString() {
        return "SealedSecret[" + kekId + " v" + kekVersion + ", " + ciphertext.length + " bytes]";
    }
}
