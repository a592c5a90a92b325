package dev.keywarden.byok;

import dev.keywarden.store.Database;
import dev.keywarden.store.Jdbc;
import dev.keywarden.vault.crypto.Argon2idParams;
import dev.keywarden.vault.crypto.SealedSecret;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Users' own keys kept on disk ({@code byok_keys}, migration V11): one per user. Failures are {@code StoreException}s
 * naming the operation, never a bound value.
 */
final class ByokStore {

    private static final String COLUMNS = "user_id, key_id, principal_id, mode, fingerprint, state, kek_id, kek_version,"
            + " wrapped_data_key, kdf_salt, kdf_memory_kib, kdf_iterations, kdf_parallelism, ciphertext, created_at";

    private final Jdbc jdbc;

    ByokStore(Database database) {
        this.jdbc = database.jdbc();
    }

    /** Stores {@code key} as the user's only key (replacing any previous one) in one transaction. */
    void put(StoredKey key) {
        jdbc.inTransaction("store a user's own key", tx -> {
            tx.update("DELETE FROM byok_keys WHERE user_id = ?", key.userId());
            if (key.mode() == ByokMode.SERVER_HELD) {
                SealedSecret s = key.envelope();
                tx.update("INSERT INTO byok_keys (user_id, key_id, principal_id, mode, fingerprint, state, kek_id, kek_version,"
                                + " wrapped_data_key, ciphertext, created_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)",
                        key.userId(), key.keyId(), key.principalId(), key.mode().wireName(), key.fingerprint(), s.kekId(),
                        s.kekVersion(), s.wrappedDataKey(), s.ciphertext(), key.createdAt());
            } else {
                tx.update("INSERT INTO byok_keys (user_id, key_id, principal_id, mode, fingerprint, state, kdf_salt, kdf_memory_kib,"
                                + " kdf_iterations, kdf_parallelism, ciphertext, created_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?)",
                        key.userId(), key.keyId(), key.principalId(), key.mode().wireName(), key.fingerprint(), key.salt(),
                        key.kdf().memoryKib(), key.kdf().iterations(), key.kdf().parallelism(), key.sealedKey(), key.createdAt());
            }
            return null;
        });
    }

    Optional<StoredKey> byUser(String userId) {
        return jdbc.queryOne("look up a user's own key", "SELECT " + COLUMNS + " FROM byok_keys WHERE user_id = ?",
                ByokStore::row, userId);
    }

    Optional<StoredKey> byPrincipal(String principalId) {
        return jdbc.queryOne("look up a principal's own key", "SELECT " + COLUMNS + " FROM byok_keys WHERE principal_id = ?",
                ByokStore::row, principalId);
    }

    /** Deletes the user's key; true when there was one. */
    boolean delete(String userId) {
        return jdbc.update("delete a user's own key", "DELETE FROM byok_keys WHERE user_id = ?", userId) > 0;
    }

    /** Marks key {@code keyId} invalid (upstream rejected it); true when it was active. */
    boolean markInvalid(String keyId, long now) {
        return jdbc.update("mark a user's own key invalid", "UPDATE byok_keys SET state = 'invalid', invalid_at = ?"
                + " WHERE key_id = ? AND state = 'active'", now, keyId) > 0;
    }

    private static StoredKey row(ResultSet rs) throws SQLException {
        ByokMode mode = ByokMode.parse(rs.getString(4)).orElseThrow(() -> new SQLException("unknown BYOK mode in byok_keys"));
        boolean invalid = "invalid".equals(rs.getString(6));
        SealedSecret envelope = null;
        byte[] salt = null;
        Argon2idParams kdf = null;
        byte[] sealedKey = null;
        if (mode == ByokMode.SERVER_HELD) {
            envelope = new SealedSecret(rs.getString(7), rs.getInt(8), rs.getBytes(9), rs.getBytes(14));
        } else {
            salt = rs.getBytes(10);
            kdf = new Argon2idParams(rs.getInt(11), rs.getInt(12), rs.getInt(13));
            sealedKey = rs.getBytes(14);
        }
        return new StoredKey(rs.getString(1), rs.getString(2), rs.getString(3), mode, rs.getString(5), invalid, envelope, salt,
                kdf, sealedKey, rs.getLong(15));
    }
}
