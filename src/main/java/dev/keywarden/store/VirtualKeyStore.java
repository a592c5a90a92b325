package dev.keywarden.store;

import static dev.keywarden.store.Jdbc.getNullableLong;
import static dev.keywarden.store.Jdbc.nullableLong;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code virtual_keys} table. Stores and finds keys by their keyed hash only; a plaintext key
 * never passes through this class. Every method is one short statement (or one batch in one
 * transaction) and fails with a {@link StoreException} naming the database.
 */
public final class VirtualKeyStore {

    private static final String COLUMNS = "id, name, prefix, key_hash, created_at, last_used_at, revoked_at, principal_id,"
            + " expires_at, previous_key_hash, previous_valid_until";

    private final Jdbc jdbc;

    public VirtualKeyStore(Database database) {
        this.jdbc = database.jdbc();
    }

    /** Adds a new key; {@code lastUsedAt} and {@code revokedAt} of {@code key} are stored as given. */
    public void insert(VirtualKeyRecord key) {
        jdbc.update("store a new virtual key", "INSERT INTO virtual_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                key.id(), key.name(), key.prefix(), key.keyHash(), key.createdAt(), nullableLong(key.lastUsedAt()),
                nullableLong(key.revokedAt()), key.principalId(), nullableLong(key.expiresAt()), key.previousKeyHash(),
                nullableLong(key.previousValidUntil()));
    }

    /**
     * The key whose hex hash is {@code keyHash}, if any: its current secret's, or the one its last
     * rotation replaced ({@code previous_key_hash}; the caller checks {@code previousValidUntil}).
     */
    public Optional<VirtualKeyRecord> findByHash(String keyHash) {
        List<VirtualKeyRecord> found = jdbc.query("look up a virtual key by hash",
                "SELECT " + COLUMNS + " FROM virtual_keys WHERE key_hash = ? OR previous_key_hash = ?",
                VirtualKeyStore::row, keyHash, keyHash);
        return found.stream().filter(r -> r.keyHash().equals(keyHash)).findFirst().or(() -> found.stream().findFirst());
    }

    /** The key with this id, if any. */
    public Optional<VirtualKeyRecord> findById(String id) {
        return jdbc.queryOne("look up a virtual key by id", "SELECT " + COLUMNS + " FROM virtual_keys WHERE id = ?",
                VirtualKeyStore::row, id);
    }

    /** Every key whose display prefix is exactly {@code prefix} (normally zero or one). */
    public List<VirtualKeyRecord> findByPrefix(String prefix) {
        return jdbc.query("look up virtual keys by prefix",
                "SELECT " + COLUMNS + " FROM virtual_keys WHERE prefix = ? ORDER BY created_at, id", VirtualKeyStore::row, prefix);
    }

    /** Every key with this name that is not revoked. */
    public List<VirtualKeyRecord> findActiveByName(String name) {
        return jdbc.query("look up virtual keys by name",
                "SELECT " + COLUMNS + " FROM virtual_keys WHERE name = ? AND revoked_at IS NULL ORDER BY created_at, id",
                VirtualKeyStore::row, name);
    }

    /** All keys, oldest first. */
    public List<VirtualKeyRecord> list() {
        return jdbc.query("list virtual keys", "SELECT " + COLUMNS + " FROM virtual_keys ORDER BY created_at, id",
                VirtualKeyStore::row);
    }

    /**
     * Marks the key revoked at {@code revokedAt} unless it already is (the first revocation time is kept).
     *
     * @return true when this call revoked it; false when it was unknown or already revoked
     */
    public boolean revoke(String id, long revokedAt) {
        return jdbc.update("revoke a virtual key", "UPDATE virtual_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                revokedAt, id) == 1;
    }

    /**
     * Gives an active key a new secret: {@code newKeyHash} and {@code newPrefix} replace the current ones,
     * whose hash stays accepted until {@code previousValidUntil} (a hash an earlier rotation kept is dropped).
     *
     * @return true when the key exists and is not revoked (and now has the new secret)
     */
    public boolean rotate(String id, String newKeyHash, String newPrefix, long previousValidUntil) {
        return jdbc.update("rotate a virtual key",
                "UPDATE virtual_keys SET previous_key_hash = key_hash, previous_valid_until = ?, key_hash = ?, prefix = ?"
                        + " WHERE id = ? AND revoked_at IS NULL", previousValidUntil, newKeyHash, newPrefix, id) == 1;
    }

    /**
     * Records last-use times (key id to epoch millis) in one transaction. A time never moves
     * backwards, so several gateway processes flushing in any order leave the latest one.
     */
    public void updateLastUsed(Map<String, Long> lastUsedById) {
        LastUsedTimes.update(jdbc, "virtual_keys", "virtual keys", lastUsedById);
    }

    private static VirtualKeyRecord row(ResultSet rs) throws SQLException {
        return new VirtualKeyRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getLong(5), getNullableLong(rs, 6), getNullableLong(rs, 7), rs.getString(8),
                getNullableLong(rs, 9), rs.getString(10), getNullableLong(rs, 11));
    }
}
