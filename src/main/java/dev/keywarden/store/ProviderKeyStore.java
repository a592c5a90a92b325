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
 * The {@code provider_keys} table. Only sealed secrets and fingerprints pass through this class; it
 * never sees a plaintext key. State changes are compare-and-set on the expected state, so two
 * processes (gateway and CLI) changing the same key cannot both win. Every method is one short
 * statement (or one batch in one transaction) and fails with a {@link StoreException} naming the
 * database and the operation.
 */
public final class ProviderKeyStore {

    private static final String COLUMNS = "id, label, environment, scope_routes, scope_principals, display_fingerprint, "
            + "sha256_fingerprint, state, priority, created_at, last_used_at, rotated_at, state_changed_at, "
            + "rotation_days, kek_id, kek_version, wrapped_key, ciphertext, source";
    private static final String ORDER = " ORDER BY environment, priority, created_at, id";

    private final Database database;
    private final DataSource dataSource;

    public ProviderKeyStore(Database database) {
        this.database = database;
        this.dataSource = database.dataSource();
    }

    /**
     * Adds a new key record.
     *
     * @throws DuplicateProviderKeyException when the environment already holds a key with the same SHA-256 fingerprint
     */
    public void insert(ProviderKeyRecord key) {
        String sql = "INSERT INTO provider_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key.id());
            ps.setString(2, key.label());
            ps.setString(3, key.environment().id());
            ps.setString(4, key.scope().routesText());
            ps.setString(5, key.scope().principalsText());
            ps.setString(6, key.displayFingerprint());
            ps.setString(7, key.sha256Fingerprint());
            ps.setString(8, key.state().id());
            ps.setInt(9, key.priority());
            ps.setLong(10, key.createdAt());
            setNullableLong(ps, 11, key.lastUsedAt());
            setNullableLong(ps, 12, key.rotatedAt());
            ps.setLong(13, key.stateChangedAt());
            if (key.rotationDays() == null) {
                ps.setNull(14, Types.INTEGER);
            } else {
                ps.setInt(14, key.rotationDays());
            }
            ps.setString(15, key.sealed().kekId());
            ps.setInt(16, key.sealed().kekVersion());
            ps.setBytes(17, key.sealed().wrappedDataKey());
            ps.setBytes(18, key.sealed().ciphertext());
            ps.setString(19, key.source());
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            Optional<ProviderKeyRecord> existing = safeFindByFingerprint(key.environment(), key.sha256Fingerprint());
            if (existing.isPresent()) {
                throw new DuplicateProviderKeyException(existing.get());
            }
            throw database.failure("store provider key " + key.id(), e);
        }
    }

    /** The key with this id, if any. */
    public Optional<ProviderKeyRecord> find(String id) {
        return query("look up provider key " + id, "SELECT " + COLUMNS + " FROM provider_keys WHERE id = ?", id)
                .stream().findFirst();
    }

    /** The key of {@code environment} whose full hex SHA-256 fingerprint is {@code sha256}, if any. */
    public Optional<ProviderKeyRecord> findByFingerprint(KeyEnvironment environment, String sha256) {
        return query("look up a provider key by fingerprint",
                "SELECT " + COLUMNS + " FROM provider_keys WHERE environment = ? AND sha256_fingerprint = ?",
                environment.id(), sha256).stream().findFirst();
    }

    /** Every key, by environment, then priority (preferred first), then age (oldest first). */
    public List<ProviderKeyRecord> list() {
        return query("list provider keys", "SELECT " + COLUMNS + " FROM provider_keys" + ORDER);
    }

    /** The keys of one environment, preferred first (priority, then oldest first). */
    public List<ProviderKeyRecord> list(KeyEnvironment environment) {
        return query("list provider keys of environment " + environment,
                "SELECT " + COLUMNS + " FROM provider_keys WHERE environment = ?" + ORDER, environment.id());
    }

    /**
     * Moves the key from {@code expected} to {@code next} at {@code at}, only if it is still in
     * {@code expected} (compare-and-set). Does not check that the move is allowed; callers do
     * ({@link ProviderKeyState#canMoveTo}).
     *
     * @return true when this call changed the state
     */
    public boolean updateState(String id, ProviderKeyState expected, ProviderKeyState next, long at) {
        return updateState(id, expected, next, at, null);
    }

    /** Like {@link #updateState(String, ProviderKeyState, ProviderKeyState, long)}, also setting {@code rotated_at} when not null. */
    public boolean updateState(String id, ProviderKeyState expected, ProviderKeyState next, long at, Long rotatedAt) {
        String sql = "UPDATE provider_keys SET state = ?, state_changed_at = ?, rotated_at = COALESCE(?, rotated_at) "
                + "WHERE id = ? AND state = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, next.id());
            ps.setLong(2, at);
            setNullableLong(ps, 3, rotatedAt);
            ps.setString(4, id);
            ps.setString(5, expected.id());
            return ps.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("change the state of provider key " + id + " from " + expected + " to " + next, e);
        }
    }

    /**
     * Replaces the sealed secret (after a KEK rewrap) only if the stored one is still exactly
     * {@code expected}, so two concurrent rewraps cannot overwrite each other.
     *
     * @return true when this call replaced it
     */
    public boolean updateSealed(String id, SealedColumns expected, SealedColumns replacement) {
        String sql = "UPDATE provider_keys SET kek_id = ?, kek_version = ?, wrapped_key = ?, ciphertext = ? "
                + "WHERE id = ? AND kek_id = ? AND kek_version = ? AND wrapped_key = ? AND ciphertext = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, replacement.kekId());
            ps.setInt(2, replacement.kekVersion());
            ps.setBytes(3, replacement.wrappedDataKey());
            ps.setBytes(4, replacement.ciphertext());
            ps.setString(5, id);
            ps.setString(6, expected.kekId());
            ps.setInt(7, expected.kekVersion());
            ps.setBytes(8, expected.wrappedDataKey());
            ps.setBytes(9, expected.ciphertext());
            return ps.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("store the rewrapped secret of provider key " + id, e);
        }
    }

    /**
     * Records last-use times (key id to epoch millis) in one transaction. A time never moves
     * backwards, so several gateway processes flushing in any order leave the latest one.
     */
    public void updateLastUsed(Map<String, Long> lastUsedById) {
        LastUsedTimes.update(database, "provider_keys", "provider keys", lastUsedById);
    }

    private Optional<ProviderKeyRecord> safeFindByFingerprint(KeyEnvironment environment, String sha256) {
        try {
            return findByFingerprint(environment, sha256);
        } catch (StoreException e) {
            return Optional.empty();
        }
    }

    private List<ProviderKeyRecord> query(String operation, String sql, String... parameters) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<ProviderKeyRecord> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(row(rs));
                }
                return rows;
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    private static ProviderKeyRecord row(ResultSet rs) throws SQLException {
        int rotationDays = rs.getInt(14);
        Integer days = rs.wasNull() ? null : rotationDays;
        SealedColumns sealed = new SealedColumns(rs.getString(15), rs.getInt(16), rs.getBytes(17), rs.getBytes(18));
        return new ProviderKeyRecord(rs.getString(1), rs.getString(2), KeyEnvironment.parse(rs.getString(3)),
                KeyScope.parse(rs.getString(4), rs.getString(5)), rs.getString(6), rs.getString(7),
                ProviderKeyState.parse(rs.getString(8)), rs.getInt(9), rs.getLong(10), nullableLong(rs, 11),
                nullableLong(rs, 12), rs.getLong(13), days, sealed, rs.getString(19));
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
