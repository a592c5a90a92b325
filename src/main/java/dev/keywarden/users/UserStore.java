package dev.keywarden.users;

import dev.keywarden.store.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code users} and {@code user_identities} tables. Each method is one short statement (or one transaction)
 * and fails with a {@code StoreException} naming the operation, never row values or a hash.
 */
final class UserStore {

    private static final String COLUMNS = "id, username, display_name, role, principal_id, password_hash, disabled_at, "
            + "created_at, updated_at, last_login_at";

    /** One row of {@code users}; {@code passwordHash} never leaves this package. */
    record Row(String id, String username, String displayName, Role role, String principalId, String passwordHash,
               Long disabledAt, long createdAt, long updatedAt, Long lastLoginAt) {
        User toUser() {
            return new User(id, username, displayName, role, principalId, disabledAt != null, passwordHash != null,
                    Instant.ofEpochMilli(createdAt), lastLoginAt == null ? null : Instant.ofEpochMilli(lastLoginAt));
        }
    }

    private final Database database;

    UserStore(Database database) {
        this.database = database;
    }

    /** Inserts the user and, when {@code issuer} is not null, its OIDC identity, in one transaction. */
    void insert(Row r, String issuer, String subject) {
        try (Connection c = database.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, r.id());
                    ps.setString(2, r.username());
                    ps.setString(3, r.displayName());
                    ps.setString(4, r.role().wireName());
                    ps.setString(5, r.principalId());
                    ps.setString(6, r.passwordHash());
                    setLong(ps, 7, r.disabledAt());
                    ps.setLong(8, r.createdAt());
                    ps.setLong(9, r.updatedAt());
                    setLong(ps, 10, r.lastLoginAt());
                    ps.executeUpdate();
                }
                if (issuer != null) {
                    insertIdentity(c, issuer, subject, r.id(), r.createdAt());
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("store a new user", e);
        }
    }

    void linkIdentity(String issuer, String subject, String userId, long now) {
        try (Connection c = database.dataSource().getConnection()) {
            insertIdentity(c, issuer, subject, userId, now);
        } catch (SQLException | RuntimeException e) {
            throw database.failure("link an OIDC identity to a user", e);
        }
    }

    private static void insertIdentity(Connection c, String issuer, String subject, String userId, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, issuer);
            ps.setString(2, subject);
            ps.setString(3, userId);
            ps.setLong(4, now);
            ps.executeUpdate();
        }
    }

    Optional<Row> findById(String id) {
        return query("look up a user by id", "SELECT " + COLUMNS + " FROM users WHERE id = ?", id).stream().findFirst();
    }

    Optional<Row> findByUsername(String username) {
        return query("look up a user by name", "SELECT " + COLUMNS + " FROM users WHERE username = ?", username).stream().findFirst();
    }

    Optional<Row> findByIdentity(String issuer, String subject) {
        return query("look up a user by OIDC identity", "SELECT u.id, u.username, u.display_name, u.role, u.principal_id, "
                + "u.password_hash, u.disabled_at, u.created_at, u.updated_at, u.last_login_at FROM users u "
                + "JOIN user_identities i ON i.user_id = u.id WHERE i.issuer = ? AND i.subject = ?", issuer, subject)
                .stream().findFirst();
    }

    /** Whether a user holds this principal (a principal belongs to at most one user). */
    boolean principalTaken(String principalId) {
        return !query("look up a user by principal", "SELECT " + COLUMNS + " FROM users WHERE principal_id = ?", principalId).isEmpty();
    }

    List<Row> list() {
        return query("list users", "SELECT " + COLUMNS + " FROM users ORDER BY created_at, id");
    }

    boolean setPasswordHash(String id, String hash, long now) {
        return update("change a user's password", "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now, id);
    }

    boolean setDisabled(String id, Long disabledAt, long now) {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?")) {
            setLong(ps, 1, disabledAt);
            ps.setLong(2, now);
            ps.setString(3, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("disable or enable a user", e);
        }
    }

    boolean setRole(String id, Role role, long now) {
        return update("change a user's role", "UPDATE users SET role = ?, updated_at = ? WHERE id = ?", role.wireName(), now, id);
    }

    void recordLogin(String id, long now) {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE users SET last_login_at = ? WHERE id = ?")) {
            ps.setLong(1, now);
            ps.setString(2, id);
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure("record a user's sign-in", e);
        }
    }

    /** Deletes the user and its OIDC identities in one transaction; true when it existed. */
    boolean delete(String id) {
        try (Connection c = database.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM user_identities WHERE user_id = ?")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
                int n;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
                    ps.setString(1, id);
                    n = ps.executeUpdate();
                }
                c.commit();
                return n == 1;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("delete a user", e);
        }
    }

    private boolean update(String operation, String sql, String value, long now, String id) {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            ps.setLong(2, now);
            ps.setString(3, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    private List<Row> query(String operation, String sql, String... parameters) {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<Row> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), Role.parse(rs.getString(4)),
                            rs.getString(5), rs.getString(6), nullableLong(rs, 7), rs.getLong(8), rs.getLong(9), nullableLong(rs, 10)));
                }
                return rows;
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }
}
