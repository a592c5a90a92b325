package dev.keywarden.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The {@code principals} table. Every method is one short statement and fails with a
 * {@link StoreException} naming the operation (never row values).
 */
public final class PrincipalStore {

    private static final String COLUMNS = "id, name, kind, tier, state, team_id, created_at, updated_at";

    private final Jdbc jdbc;

    public PrincipalStore(Database database) {
        this.jdbc = database.jdbc();
    }

    /** Adds a principal; fails when the id or the name is taken. */
    public void insert(PrincipalRecord p) {
        jdbc.update("store a new principal", "INSERT INTO principals (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                p.id(), p.name(), p.kind(), p.tier(), p.state(), p.teamId(), p.createdAt(), p.updatedAt());
    }

    public Optional<PrincipalRecord> findById(String id) {
        return jdbc.queryOne("look up a principal by id", "SELECT " + COLUMNS + " FROM principals WHERE id = ?",
                PrincipalStore::row, id);
    }

    public Optional<PrincipalRecord> findByName(String name) {
        return jdbc.queryOne("look up a principal by name", "SELECT " + COLUMNS + " FROM principals WHERE name = ?",
                PrincipalStore::row, name);
    }

    /** All principals, oldest first. */
    public List<PrincipalRecord> list() {
        return jdbc.query("list principals", "SELECT " + COLUMNS + " FROM principals ORDER BY created_at, id",
                PrincipalStore::row);
    }

    /** Sets the tier; true when the principal exists. */
    public boolean updateTier(String id, String tier, long now) {
        return jdbc.update("change a principal's tier", "UPDATE principals SET tier = ?, updated_at = ? WHERE id = ?",
                tier, now, id) == 1;
    }

    /** Sets the state (active|suspended); true when the principal exists. */
    public boolean updateState(String id, String state, long now) {
        return jdbc.update("change a principal's state", "UPDATE principals SET state = ?, updated_at = ? WHERE id = ?",
                state, now, id) == 1;
    }

    private static PrincipalRecord row(ResultSet rs) throws SQLException {
        return new PrincipalRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8));
    }
}
