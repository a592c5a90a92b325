package dev.keywarden.auth.token;

import dev.keywarden.store.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
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
            + " t.max_uses, t.uses, t.revoked_at, t.created_at, k.name, k.revoked_at";
    private static final String FROM = " FROM tokens t LEFT JOIN virtual_keys k ON k.id = t.issuer_key_id";

    private final Database database;

    TokenStore(Database database) {
        this.database = database;
    }

    void insert(TokenRecord t) {
        String sql = "INSERT INTO tokens (id, token_hash, principal_id, issuer_key_id, scopes, expires_at, max_uses, uses,"
                + " revoked_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?)";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, t.id());
            ps.setString(2, t.tokenHash());
            ps.setString(3, t.principalId());
            ps.setString(4, t.issuerKeyId());
            ps.setString(5, t.scopesJson());
            ps.setLong(6, t.expiresAt());
            ps.setLong(7, t.maxUses());
            ps.setLong(8, t.createdAt());
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure("store a new token", e);
        }
    }

    Optional<TokenRecord> findByHash(String tokenHash) {
        return query("look up a token", "SELECT " + COLUMNS + FROM + " WHERE t.token_hash = ?", tokenHash).stream().findFirst();
    }

    Optional<TokenRecord> findById(String id) {
        return query("look up a token by id", "SELECT " + COLUMNS + FROM + " WHERE t.id = ?", id).stream().findFirst();
    }

    /** Every token, newest first. */
    List<TokenRecord> list() {
        return query("list tokens", "SELECT " + COLUMNS + FROM + " ORDER BY t.created_at DESC, t.id");
    }

    /**
     * Spends one use: one statement that adds 1 only while the token is unrevoked, unexpired at
     * {@code now} and below its maximum.
     *
     * @return true when this call got the use
     */
    boolean spendUse(String id, long now) {
        String sql = "UPDATE tokens SET uses = uses + 1 WHERE id = ? AND uses < max_uses AND revoked_at IS NULL AND expires_at > ?";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            ps.setLong(2, now);
            return ps.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("spend a token use", e);
        }
    }

    /** @return true when this call revoked the token (false: unknown or already revoked) */
    boolean revoke(String id, long now) {
        return update("revoke a token", "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, id) == 1;
    }

    /** Revokes every unrevoked token of the principal; returns how many. */
    int revokeByPrincipal(String principalId, long now) {
        return update("revoke a principal's tokens",
                "UPDATE tokens SET revoked_at = ? WHERE principal_id = ? AND revoked_at IS NULL", now, principalId);
    }

    private int update(String operation, String sql, long time, String id) {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, time);
            ps.setString(2, id);
            return ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    private List<TokenRecord> query(String operation, String sql, String... parameters) {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<TokenRecord> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new TokenRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getLong(6), rs.getLong(7), rs.getLong(8), nullableLong(rs, 9), rs.getLong(10),
                            rs.getString(11), nullableLong(rs, 12)));
                }
                return rows;
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    private static Long nullableLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : value;
    }
}
