package dev.keywarden.admin;

import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Admin API tokens ({@code kwadm_} + 256 random bits, base64url). Stored only as the HMAC of the
 * server secret, looked up by that hash and compared in constant time; the plaintext exists only
 * in the return value of {@link #create}.
 */
public final class AdminTokens {

    static final String PREFIX = "kwadm_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final ServerSecret secret;

    public AdminTokens(Database db, ServerSecret secret) {
        this.db = db;
        this.secret = secret;
    }

    /** Creates a token and returns it; it is not retrievable afterwards. */
    public String create(String name) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String id = "adm_" + HexFormat.of().formatHex(raw, 0, 6);
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO admin_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, hash(token));
            ps.setLong(4, System.currentTimeMillis());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the admin token " + id + " (" + e.getClass().getSimpleName() + ")", e);
        }
        return token;
    }

    /** Whether {@code presented} is a current (not revoked) admin token. */
    public boolean verify(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 100) {
            return false;
        }
        String h = hash(presented);
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT token_hash FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL")) {
            ps.setString(1, h);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && MessageDigest.isEqual(rs.getString(1).getBytes(), h.getBytes());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot check admin tokens (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private String hash(String token) {
        return HexFormat.of().formatHex(secret.hmac(token));
    }
}
