package dev.keywarden.users;

import dev.keywarden.store.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sessions and OIDC sign-ins in progress in the database ({@code user_sessions}, {@code oidc_logins}). A pending
 * sign-in is taken with a delete whose row count decides which caller got it, so a replayed {@code state} loses
 * even when two callbacks race.
 */
public final class JdbcSessionStore implements SessionStore {

    private static final String COLUMNS = "id, token_hash, user_id, method, created_at, last_seen_at, expires_at, client_address";

    private final Database database;

    public JdbcSessionStore(Database database) {
        this.database = database;
    }

    @Override
    public void insert(SessionRecord s) {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO user_sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.id());
            ps.setString(2, s.tokenHash());
            ps.setString(3, s.userId());
            ps.setString(4, s.method());
            ps.setLong(5, s.createdAt());
            ps.setLong(6, s.lastSeenAt());
            ps.setLong(7, s.expiresAt());
            ps.setString(8, s.clientAddress());
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure("store a new session", e);
        }
    }

    @Override
    public Optional<SessionRecord> findByTokenHash(String tokenHash) {
        return query("look up a session", "SELECT " + COLUMNS + " FROM user_sessions WHERE token_hash = ?", tokenHash).stream().findFirst();
    }

    @Override
    public void touch(SessionRecord s, long now) {
        execute("record a session's use", "UPDATE user_sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?",
                ps -> {
                    ps.setLong(1, now);
                    ps.setString(2, s.tokenHash());
                    ps.setLong(3, now);
                });
    }

    @Override
    public boolean deleteByTokenHash(String tokenHash) {
        return execute("end a session", "DELETE FROM user_sessions WHERE token_hash = ?", ps -> ps.setString(1, tokenHash)) > 0;
    }

    @Override
    public Optional<SessionRecord> deleteById(String id) {
        Optional<SessionRecord> s = query("look up a session by id", "SELECT " + COLUMNS + " FROM user_sessions WHERE id = ?", id)
                .stream().findFirst();
        if (s.isPresent() && execute("revoke a session", "DELETE FROM user_sessions WHERE id = ?", ps -> ps.setString(1, id)) > 0) {
            return s;
        }
        return Optional.empty();
    }

    @Override
    public int deleteByUser(String userId) {
        return execute("revoke a user's sessions", "DELETE FROM user_sessions WHERE user_id = ?", ps -> ps.setString(1, userId));
    }

    @Override
    public List<SessionRecord> listByUser(String userId) {
        return query("list a user's sessions", "SELECT " + COLUMNS + " FROM user_sessions WHERE user_id = ? ORDER BY created_at", userId);
    }

    @Override
    public void sweep(long now) {
        execute("drop expired sessions", "DELETE FROM user_sessions WHERE expires_at < ?", ps -> ps.setLong(1, now));
        execute("drop expired sign-ins", "DELETE FROM oidc_logins WHERE expires_at < ?", ps -> ps.setLong(1, now));
    }

    @Override
    public void putPendingLogin(PendingLogin p) {
        execute("store a sign-in in progress", "INSERT INTO oidc_logins (state_hash, nonce, code_verifier, return_to, expires_at) "
                + "VALUES (?, ?, ?, ?, ?)", ps -> {
                    ps.setString(1, p.stateHash());
                    ps.setString(2, p.nonce());
                    ps.setString(3, p.codeVerifier());
                    ps.setString(4, p.returnTo());
                    ps.setLong(5, p.expiresAt());
                });
    }

    @Override
    public Optional<PendingLogin> takePendingLogin(String stateHash) {
        Optional<PendingLogin> found;
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT state_hash, nonce, code_verifier, return_to, expires_at FROM oidc_logins WHERE state_hash = ?")) {
            ps.setString(1, stateHash);
            try (ResultSet rs = ps.executeQuery()) {
                found = rs.next()
                        ? Optional.of(new PendingLogin(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)))
                        : Optional.empty();
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("look up a sign-in in progress", e);
        }
        if (found.isEmpty()) {
            return found;
        }
        int deleted = execute("take a sign-in in progress", "DELETE FROM oidc_logins WHERE state_hash = ?", ps -> ps.setString(1, stateHash));
        return deleted == 1 ? found : Optional.empty();
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int execute(String operation, String sql, Binder binder) {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    private List<SessionRecord> query(String operation, String sql, String parameter) {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                List<SessionRecord> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new SessionRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                            rs.getLong(6), rs.getLong(7), rs.getString(8)));
                }
                return rows;
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }
}
