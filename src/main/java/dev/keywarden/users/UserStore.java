package dev.keywarden.users;

import dev.keywarden.store.Database;
import dev.keywarden.store.Jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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

    private static final String INSERT_IDENTITY = "INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)";

    private final Jdbc jdbc;

    UserStore(Database database) {
        this.jdbc = database.jdbc();
    }

    /** Inserts the user and, when {@code issuer} is not null, its OIDC identity, in one transaction. */
    void insert(Row r, String issuer, String subject) {
        jdbc.inTransaction("store a new user", tx -> {
            tx.update("INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", r.id(), r.username(),
                    r.displayName(), r.role().wireName(), r.principalId(), r.passwordHash(), Jdbc.nullableLong(r.disabledAt()),
                    r.createdAt(), r.updatedAt(), Jdbc.nullableLong(r.lastLoginAt()));
            if (issuer != null) {
                tx.update(INSERT_IDENTITY, issuer, subject, r.id(), r.createdAt());
            }
            return null;
        });
    }

    void linkIdentity(String issuer, String subject, String userId, long now) {
        jdbc.update("link an OIDC identity to a user", INSERT_IDENTITY, issuer, subject, userId, now);
    }

    Optional<Row> findById(String id) {
        return jdbc.queryOne("look up a user by id", "SELECT " + COLUMNS + " FROM users WHERE id = ?", UserStore::row, id);
    }

    Optional<Row> findByUsername(String username) {
        return jdbc.queryOne("look up a user by name", "SELECT " + COLUMNS + " FROM users WHERE username = ?", UserStore::row,
                username);
    }

    Optional<Row> findByIdentity(String issuer, String subject) {
        return jdbc.queryOne("look up a user by OIDC identity", "SELECT u.id, u.username, u.display_name, u.role, u.principal_id, "
                + "u.password_hash, u.disabled_at, u.created_at, u.updated_at, u.last_login_at FROM users u "
                + "JOIN user_identities i ON i.user_id = u.id WHERE i.issuer = ? AND i.subject = ?", UserStore::row, issuer, subject);
    }

    /** Whether a user holds this principal (a principal belongs to at most one user). */
    boolean principalTaken(String principalId) {
        return jdbc.queryOne("look up a user by principal", "SELECT id FROM users WHERE principal_id = ?", rs -> rs.getString(1),
                principalId).isPresent();
    }

    List<Row> list() {
        return jdbc.query("list users", "SELECT " + COLUMNS + " FROM users ORDER BY created_at, id", UserStore::row);
    }

    boolean setPasswordHash(String id, String hash, long now) {
        return jdbc.update("change a user's password", "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                hash, now, id) == 1;
    }

    boolean setDisabled(String id, Long disabledAt, long now) {
        return jdbc.update("disable or enable a user", "UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?",
                Jdbc.nullableLong(disabledAt), now, id) == 1;
    }

    boolean setRole(String id, Role role, long now) {
        return jdbc.update("change a user's role", "UPDATE users SET role = ?, updated_at = ? WHERE id = ?",
                role.wireName(), now, id) == 1;
    }

    void recordLogin(String id, long now) {
        jdbc.update("record a user's sign-in", "UPDATE users SET last_login_at = ? WHERE id = ?", now, id);
    }

    /** Deletes the user and its OIDC identities in one transaction; true when it existed. */
    boolean delete(String id) {
        return jdbc.inTransaction("delete a user", tx -> {
            tx.update("DELETE FROM user_identities WHERE user_id = ?", id);
            return tx.update("DELETE FROM users WHERE id = ?", id) == 1;
        });
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), Role.parse(rs.getString(4)), rs.getString(5),
                rs.getString(6), Jdbc.getNullableLong(rs, 7), rs.getLong(8), rs.getLong(9), Jdbc.getNullableLong(rs, 10));
    }
}
