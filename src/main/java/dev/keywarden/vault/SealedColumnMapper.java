package dev.keywarden.vault;

import dev.keywarden.store.SealedColumns;
import dev.keywarden.vault.crypto.SealedSecret;

/**
 * Maps between what the cipher produces and opens ({@link SealedSecret}) and what the store keeps
 * ({@link SealedColumns}): the same four values, so the store never depends on the crypto package
 * and the crypto package never on the store.
 */
final class SealedColumnMapper {

    private SealedColumnMapper() {
    }

    static SealedSecret toSecret(SealedColumns columns) {
        return new SealedSecret(columns.kekId(), columns.kekVersion(), columns.wrappedDataKey(), columns.ciphertext());
    }

    static SealedColumns toColumns(SealedSecret sealed) {
        return new SealedColumns(sealed.kekId(), sealed.kekVersion(), sealed.wrappedDataKey(), sealed.ciphertext());
    }
}
