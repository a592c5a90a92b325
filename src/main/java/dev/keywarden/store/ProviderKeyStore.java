package dev.keywarden.store;

import static dev.keywarden.store.Jdbc.getNullableInt;
import static dev.keywarden.store.Jdbc.getNullableLong;
import static dev.keywarden.store.Jdbc.nullableInt;
import static dev.keywarden.store.Jdbc.nullableLong;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    private final Jdbc jdbc;

    public ProviderKeyStore(Database database) {
        this.jdbc = database.jdbc();
    }

    /**
     * Adds a new key record.
     *
     * @throws DuplicateProviderKeyException when the environment already holds a key with the same SHA-256 fingerprint
     *         in a record that is not revoked (a revoked record does not block adding the key again)
     */
    public void insert(ProviderKeyRecord key) {
        String sql = "INSERT INTO provider_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        SealedColumns sealed = key.sealed();
        try {
            jdbc.update("store provider key " + key.id(), sql, key.id(), key.label(), key.environment().id(),
                    key.scope().routesText(), key.scope().principalsText(), key.displayFingerprint(), key.sha256Fingerprint(),
                    key.state().id(), key.priority(), key.createdAt(), nullableLong(key.lastUsedAt()),
                    nullableLong(key.rotatedAt()), key.stateChangedAt(), nullableInt(key.rotationDays()), sealed.kekId(),
                    sealed.kekVersion(), sealed.wrappedDataKey(), sealed.ciphertext(), key.source());
        } catch (StoreException e) {
            Optional<ProviderKeyRecord> existing = safeFindByFingerprint(key.environment(), key.sha256Fingerprint())
                    .filter(r -> r.state() != ProviderKeyState.REVOKED);
            if (existing.isPresent()) {
                throw new DuplicateProviderKeyException(existing.get());
            }
            throw e;
        }
    }

    /** The key with this id, if any. */
    public Optional<ProviderKeyRecord> find(String id) {
        return jdbc.queryOne("look up provider key " + id, "SELECT " + COLUMNS + " FROM provider_keys WHERE id = ?",
                ProviderKeyStore::row, id);
    }

    /**
     * The record of {@code environment} whose full hex SHA-256 fingerprint is {@code sha256}, if any: the one
     * that is not revoked (at most one is), else the newest revoked one.
     */
    public Optional<ProviderKeyRecord> findByFingerprint(KeyEnvironment environment, String sha256) {
        return jdbc.queryOne("look up a provider key by fingerprint",
                "SELECT " + COLUMNS + " FROM provider_keys WHERE environment = ? AND sha256_fingerprint = ?"
                        + " ORDER BY CASE WHEN state = 'revoked' THEN 1 ELSE 0 END, created_at DESC, id LIMIT 1",
                ProviderKeyStore::row, environment.id(), sha256);
    }

    /** Every key, by environment, then priority (preferred first), then age (oldest first). */
    public List<ProviderKeyRecord> list() {
        return jdbc.query("list provider keys", "SELECT " + COLUMNS + " FROM provider_keys" + ORDER, ProviderKeyStore::row);
    }

    /** The keys of one environment, preferred first (priority, then oldest first). */
    public List<ProviderKeyRecord> list(KeyEnvironment environment) {
        return jdbc.query("list provider keys of environment " + environment,
                "SELECT " + COLUMNS + " FROM provider_keys WHERE environment = ?" + ORDER, ProviderKeyStore::row,
                environment.id());
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
        return jdbc.update("change the state of provider key " + id + " from " + expected + " to " + next,
                "UPDATE provider_keys SET state = ?, state_changed_at = ?, rotated_at = COALESCE(?, rotated_at) "
                        + "WHERE id = ? AND state = ?",
                next.id(), at, nullableLong(rotatedAt), id, expected.id()) == 1;
    }

    /**
     * Replaces the sealed secret (after a KEK rewrap) only if the stored one is still exactly
     * {@code expected}, so two concurrent rewraps cannot overwrite each other.
     *
     * @return true when this call replaced it
     */
    public boolean updateSealed(String id, SealedColumns expected, SealedColumns replacement) {
        return jdbc.update("store the rewrapped secret of provider key " + id,
                "UPDATE provider_keys SET kek_id = ?, kek_version = ?, wrapped_key = ?, ciphertext = ? "
                        + "WHERE id = ? AND kek_id = ? AND kek_version = ? AND wrapped_key = ? AND ciphertext = ?",
                replacement.kekId(), replacement.kekVersion(), replacement.wrappedDataKey(), replacement.ciphertext(),
                id, expected.kekId(), expected.kekVersion(), expected.wrappedDataKey(), expected.ciphertext()) == 1;
    }

    /**
     * Records last-use times (key id to epoch millis) in one transaction. A time never moves
     * backwards, so several gateway processes flushing in any order leave the latest one.
     */
    public void updateLastUsed(Map<String, Long> lastUsedById) {
        LastUsedTimes.update(jdbc, "provider_keys", "provider keys", lastUsedById);
    }

    private Optional<ProviderKeyRecord> safeFindByFingerprint(KeyEnvironment environment, String sha256) {
        try {
            return findByFingerprint(environment, sha256);
        } catch (StoreException e) {
            return Optional.empty();
        }
    }

    private static ProviderKeyRecord row(ResultSet rs) throws SQLException {
        SealedColumns sealed = new SealedColumns(rs.getString(15), rs.getInt(16), rs.getBytes(17), rs.getBytes(18));
        return new ProviderKeyRecord(rs.getString(1), rs.getString(2), KeyEnvironment.parse(rs.getString(3)),
                KeyScope.parse(rs.getString(4), rs.getString(5)), rs.getString(6), rs.getString(7),
                ProviderKeyState.parse(rs.getString(8)), rs.getInt(9), rs.getLong(10), getNullableLong(rs, 11),
                getNullableLong(rs, 12), rs.getLong(13), getNullableInt(rs, 14), sealed, rs.getString(19));
    }
}
