package dev.keywarden.auth.token;

import static dev.keywarden.store.Jdbc.getNullableLong;

import dev.keywarden.store.Database;
import dev.keywarden.store.Jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The {@code tokens} table. Finds tokens by keyed hash or id only; a plaintext token never passes
 * through this class. Spending a use is one conditional {@code UPDATE}, so concurrent spends — from any
 * number of gateway processes sharing the database — never admit more than {@code max_uses}. Failures
 * surface as {@link dev.keywarden.store.StoreException} naming the database.
 */
final class TokenStore {

    private static final String COLUMNS = "t.id, t.token_hash, t.principal_id, t.issuer_key_id, t.scopes, t.expires_at,"
            + " t.max_uses, t.uses, t.revoked_at, t.created_at, COALESCE(k.name, u.username), COALESCE(k.revoked_at, u.disabled_at)";
    /** The issuer: a virtual key, or a signed-in user (a token minted through {@code POST /api/tokens}). */
    private static final String FROM = " FROM tokens t LEFT JOIN virtual_keys k ON k.id = t.issuer_key_id"
            + " LEFT JOIN users u ON u.id = t.issuer_key_id";

    private final Jdbc jdbc;

    TokenStore(Database database) {
        this.jdbc = database.jdbc();
    }

    void insert(TokenRecord t) {
        jdbc.update("store a new token", "INSERT INTO tokens (id, token_hash, principal_id, issuer_key_id, scopes, expires_at,"
                        + " max_uses, uses, revoked_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?)",
                t.id(), t.tokenHash(), t.principalId(), t.issuerKeyId(), t.scopesJson(), t.expiresAt(), t.maxUses(),
                t.createdAt());
    }

    Optional<TokenRecord> findByHash(String tokenHash) {
        return jdbc.queryOne("look up a token", "SELECT " + COLUMNS + FROM + " WHERE t.token_hash = ?", TokenStore::row,
                tokenHash);
    }

    Optional<TokenRecord> findById(String id) {
        return jdbc.queryOne("look up a token by id", "SELECT " + COLUMNS + FROM + " WHERE t.id = ?", TokenStore::row, id);
    }

    /** Every token, newest first. */
    List<TokenRecord> list() {
        return jdbc.query("list tokens", "SELECT " + COLUMNS + FROM + " ORDER BY t.created_at DESC, t.id", TokenStore::row);
    }

    /**
     * Spends one use: one statement that adds 1 only while the token is unrevoked, unexpired at
     * {@code now} and below its maximum.
     *
     * @return true when this call got the use
     */
    boolean spendUse(String id, long now) {
        return jdbc.update("spend a token use",
                "UPDATE tokens SET uses = uses + 1 WHERE id = ? AND uses < max_uses AND revoked_at IS NULL AND expires_at > ?",
                id, now) == 1;
    }

    /** @return true when this call revoked the token (false: unknown or already revoked) */
    boolean revoke(String id, long now) {
        return jdbc.update("revoke a token", "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                now, id) == 1;
    }

    /** Revokes every unrevoked token of the principal; returns how many. */
    int revokeByPrincipal(String principalId, long now) {
        return jdbc.update("revoke a principal's tokens",
                "UPDATE tokens SET revoked_at = ? WHERE principal_id = ? AND revoked_at IS NULL", now, principalId);
    }

    private static TokenRecord row(ResultSet rs) throws SQLException {
        return new TokenRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getLong(6), rs.getLong(7), rs.getLong(8), getNullableLong(rs, 9), rs.getLong(10),
                rs.getString(11), getNullableLong(rs, 12));
    }
}
