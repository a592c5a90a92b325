package dev.keywarden.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code principals} table. Every method is one short statement and fails with a
 * {@link StoreException} naming the operation (never row values).
 */
public final class PrincipalStore {

    private static final String COLUMNS = "id, name, kind, tier, state, team_id, created_at, updated_at";

    private final Database database;
    private final DataSource dataSource;

    public PrincipalStore(Database database) {
        this.database = database;
        this.dataSource = database.dataSource();
    }

    /** Adds a principal; fails when the id or the name is taken. */
    public void insert(PrincipalRecord p) {
        String sql = "INSERT INTO principals (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, p.id());
            ps.setString(2, p.name());
            ps.setString(3, p.kind());
            ps.setString(4, p.tier());
            ps.setString(5, p.state());
            ps.setString(6, p.teamId());
            ps.setLong(7, p.createdAt());
            ps.setLong(8, p.updatedAt());
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure("store a new principal", e);
        }
    }

    public Optional<PrincipalRecord> findById(String id) {
        return query("look up a principal by id", "SELECT " + COLUMNS + " FROM principals WHERE id = ?", id).stream().findFirst();
    }

    public Optional<PrincipalRecord> findByName(String name) {
        return query("look up a principal by name", "SELECT " + COLUMNS + " FROM principals WHERE name = ?", name).stream().findFirst();
    }

    /** All principals, oldest first. */
    public List<PrincipalRecord> list() {
        return query("list principals", "SELECT " + COLUMNS + " FROM principals ORDER BY created_at, id");
    }

    /** Sets the tier; true when the principal exists. */
    public boolean updateTier(String id, String tier, long now) {
        return update("change a principal's tier", "UPDATE principals SET tier = ?, updated_at = ? WHERE id = ?", tier, now, id);
    }

    /** Sets the state (active|suspended); true when the principal exists. */
    public boolean updateState(String id, String state, long now) {
        return update("change a principal's state", "UPDATE principals SET state = ?, updated_at = ? WHERE id = ?", state, now, id);
    }

    private boolean update(String operation, String sql, String value, long now, String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            ps.setLong(2, now);
            ps.setString(3, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    private List<PrincipalRecord> query(String operation, String sql, String... parameters) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<PrincipalRecord> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new PrincipalRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8)));
                }
                return rows;
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }
}
