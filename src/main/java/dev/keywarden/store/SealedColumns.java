package dev.keywarden.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * The four columns that hold a provider key at rest, as opaque values: the name and version of
 * the key-encryption key, the wrapped data key and the ciphertext. The store keeps and compares
 * them byte for byte and never interprets them; the vault turns them into what its cipher opens.
 * Equal when every column is equal (arrays by content). {@link #toString()} shows the KEK and the
 * ciphertext length only.
 */
public record SealedColumns(String kekId, int kekVersion, byte[] wrappedDataKey, byte[] ciphertext) {

    public SealedColumns {
        Objects.requireNonNull(kekId, "kekId");
        Objects.requireNonNull(wrappedDataKey, "wrappedDataKey");
        Objects.requireNonNull(ciphertext, "ciphertext");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SealedColumns s && kekId.equals(s.kekId) && kekVersion == s.kekVersion
                && Arrays.equals(wrappedDataKey, s.wrappedDataKey) && Arrays.equals(ciphertext, s.ciphertext);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ciphertext) + kekVersion;
    }

    @Override
    public String toString() {
        return "SealedColumns[" + kekId + " v" + kekVersion + ", " + ciphertext.length + " bytes]";
    }
}
