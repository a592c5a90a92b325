package dev.keywarden.users;

import dev.keywarden.store.Database;
import dev.keywarden.store.Jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Sessions and OIDC sign-ins in progress in the database ({@code user_sessions}, {@code oidc_logins}). A pending
 * sign-in is taken with a delete whose row count decides which caller got it, so a replayed {@code state} loses
 * even when two callbacks race. Failures are {@code StoreException}s naming the operation, never a bound value
 * (a token hash, a nonce or a code verifier).
 */
public final class JdbcSessionStore implements SessionStore {

    private static final String COLUMNS = "id, token_hash, user_id, method, created_at, last_seen_at, expires_at, client_address";

    private final Jdbc jdbc;

    public JdbcSessionStore(Database database) {
        this.jdbc = database.jdbc();
    }

    @Override
    public void insert(SessionRecord s) {
        jdbc.update("store a new session", "INSERT INTO user_sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                s.id(), s.tokenHash(), s.userId(), s.method(), s.createdAt(), s.lastSeenAt(), s.expiresAt(), s.clientAddress());
    }

    @Override
    public Optional<SessionRecord> findByTokenHash(String tokenHash) {
        return jdbc.queryOne("look up a session", "SELECT " + COLUMNS + " FROM user_sessions WHERE token_hash = ?",
                JdbcSessionStore::session, tokenHash);
    }

    @Override
    public void touch(SessionRecord s, long now) {
        jdbc.update("record a session's use", "UPDATE user_sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?",
                now, s.tokenHash(), now);
    }

    @Override
    public boolean deleteByTokenHash(String tokenHash) {
        return jdbc.update("end a session", "DELETE FROM user_sessions WHERE token_hash = ?", tokenHash) > 0;
    }

    @Override
    public Optional<SessionRecord> deleteById(String id) {
        Optional<SessionRecord> s = jdbc.queryOne("look up a session by id", "SELECT " + COLUMNS + " FROM user_sessions WHERE id = ?",
                JdbcSessionStore::session, id);
        if (s.isPresent() && jdbc.update("revoke a session", "DELETE FROM user_sessions WHERE id = ?", id) > 0) {
            return s;
        }
        return Optional.empty();
    }

    @Override
    public int deleteByUser(String userId) {
        return jdbc.update("revoke a user's sessions", "DELETE FROM user_sessions WHERE user_id = ?", userId);
    }

    @Override
    public List<SessionRecord> listByUser(String userId) {
        return jdbc.query("list a user's sessions", "SELECT " + COLUMNS + " FROM user_sessions WHERE user_id = ? ORDER BY created_at",
                JdbcSessionStore::session, userId);
    }

    @Override
    public void sweep(long now) {
        jdbc.update("drop expired sessions", "DELETE FROM user_sessions WHERE expires_at < ?", now);
        jdbc.update("drop expired sign-ins", "DELETE FROM oidc_logins WHERE expires_at < ?", now);
    }

    @Override
    public void putPendingLogin(PendingLogin p) {
        jdbc.update("store a sign-in in progress", "INSERT INTO oidc_logins (state_hash, nonce, code_verifier, return_to, expires_at) "
                + "VALUES (?, ?, ?, ?, ?)", p.stateHash(), p.nonce(), p.codeVerifier(), p.returnTo(), p.expiresAt());
    }

    @Override
    public Optional<PendingLogin> takePendingLogin(String stateHash) {
        Optional<PendingLogin> found = jdbc.queryOne("look up a sign-in in progress",
                "SELECT state_hash, nonce, code_verifier, return_to, expires_at FROM oidc_logins WHERE state_hash = ?",
                rs -> new PendingLogin(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)), stateHash);
        if (found.isEmpty()) {
            return found;
        }
        int deleted = jdbc.update("take a sign-in in progress", "DELETE FROM oidc_logins WHERE state_hash = ?", stateHash);
        return deleted == 1 ? found : Optional.empty();
    }

    private static SessionRecord session(ResultSet rs) throws SQLException {
        return new SessionRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                rs.getLong(6), rs.getLong(7), rs.getString(8));
    }
}
