package dev.keywarden.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code virtual_keys} table. Stores and finds keys by their keyed hash only; a plaintext key
 * never passes through this class. Every method is one short statement (or one batch in one
 * transaction) and fails with a {@link StoreException} naming the database.
 */
public final class VirtualKeyStore {

    private static final String COLUMNS = "id, name, prefix, key_hash, created_at, last_used_at, revoked_at, principal_id,"
            + " expires_at, previous_key_hash, previous_valid_until";

    private final Database database;
    private final DataSource dataSource;

    public VirtualKeyStore(Database database) {
        this.database = database;
        this.dataSource = database.dataSource();
    }

    /** Adds a new key; {@code lastUsedAt} and {@code revokedAt} of {@code key} are stored as given. */
    public void insert(VirtualKeyRecord key) {
        String sql = "INSERT INTO virtual_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key.id());
            ps.setString(2, key.name());
            ps.setString(3, key.prefix());
            ps.setString(4, key.keyHash());
            ps.setLong(5, key.createdAt());
            setNullableLong(ps, 6, key.lastUsedAt());
            setNullableLong(ps, 7, key.revokedAt());
            ps.setString(8, key.principalId());
            setNullableLong(ps, 9, key.expiresAt());
            ps.setString(10, key.previousKeyHash());
            setNullableLong(ps, 11, key.previousValidUntil());
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure("store a new virtual key", e);
        }
    }

    /**
     * The key whose hex hash is {@code keyHash}, if any: its current secret's, or the one its last
     * rotation replaced ({@code previous_key_hash}; the caller checks {@code previousValidUntil}).
     */
    public Optional<VirtualKeyRecord> findByHash(String keyHash) {
        List<VirtualKeyRecord> found = query("look up a virtual key by hash",
                "SELECT " + COLUMNS + " FROM virtual_keys WHERE key_hash = ? OR previous_key_hash = ?", keyHash, keyHash);
        return found.stream().filter(r -> r.keyHash().equals(keyHash)).findFirst().or(() -> found.stream().findFirst());
    }

    /** The key with this id, if any. */
    public Optional<VirtualKeyRecord> findById(String id) {
        return query("look up a virtual key by id", "SELECT " + COLUMNS + " FROM virtual_keys WHERE id = ?", id)
                .stream().findFirst();
    }

    /** Every key whose display prefix is exactly {@code prefix} (normally zero or one). */
    public List<VirtualKeyRecord> findByPrefix(String prefix) {
        return query("look up virtual keys by prefix",
                "SELECT " + COLUMNS + " FROM virtual_keys WHERE prefix = ? ORDER BY created_at, id", prefix);
    }

    /** Every key with this name that is not revoked. */
    public List<VirtualKeyRecord> findActiveByName(String name) {
        return query("look up virtual keys by name",
                "SELECT " + COLUMNS + " FROM virtual_keys WHERE name = ? AND revoked_at IS NULL ORDER BY created_at, id", name);
    }

    /** All keys, oldest first. */
    public List<VirtualKeyRecord> list() {
        return query("list virtual keys", "SELECT " + COLUMNS + " FROM virtual_keys ORDER BY created_at, id");
    }

    /**
     * Marks the key revoked at {@code revokedAt} unless it already is (the first revocation time is kept).
     *
     * @return true when this call revoked it; false when it was unknown or already revoked
     */
    public boolean revoke(String id, long revokedAt) {
        String sql = "UPDATE virtual_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, revokedAt);
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("revoke a virtual key", e);
        }
    }

    /**
     * Gives an active key a new secret: {@code newKeyHash} and {@code newPrefix} replace the current ones,
     * whose hash stays accepted until {@code previousValidUntil} (a hash an earlier rotation kept is dropped).
     *
     * @return true when the key exists and is not revoked (and now has the new secret)
     */
    public boolean rotate(String id, String newKeyHash, String newPrefix, long previousValidUntil) {
        String sql = "UPDATE virtual_keys SET previous_key_hash = key_hash, previous_valid_until = ?, key_hash = ?, prefix = ?"
                + " WHERE id = ? AND revoked_at IS NULL";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, previousValidUntil);
            ps.setString(2, newKeyHash);
            ps.setString(3, newPrefix);
            ps.setString(4, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("rotate a virtual key", e);
        }
    }

    /**
     * Records last-use times (key id to epoch millis) in one transaction. A time never moves
     * backwards, so several gateway processes flushing in any order leave the latest one.
     */
    public void updateLastUsed(Map<String, Long> lastUsedById) {
        LastUsedTimes.update(database, "virtual_keys", "virtual keys", lastUsedById);
    }

    private List<VirtualKeyRecord> query(String operation, String sql, String... parameters) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<VirtualKeyRecord> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new VirtualKeyRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5), nullableLong(rs, 6), nullableLong(rs, 7), rs.getString(8),
                            nullableLong(rs, 9), rs.getString(10), nullableLong(rs, 11)));
                }
                return rows;
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    private static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static Long nullableLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : value;
    }
}
