package dev.keywarden.admin;

import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Admin API tokens ({@code kwadm_} + 256 random bits, base64url). Stored only as the HMAC of the
 * server secret, looked up by that hash and compared in constant time; the plaintext exists only
 * in the return value of {@link #create}. A database failure surfaces as a
 * {@link dev.keywarden.store.StoreException} naming the operation, never the token or its hash.
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
        db.jdbc().update("store the admin token " + id,
                "INSERT INTO admin_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                id, name, hash(token), System.currentTimeMillis());
        return token;
    }

    /** Whether {@code presented} is a current (not revoked) admin token. */
    public boolean verify(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 100) {
            return false;
        }
        String h = hash(presented);
        return db.jdbc().queryOne("check admin tokens",
                        "SELECT token_hash FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL",
                        rs -> rs.getString(1), h)
                .map(stored -> MessageDigest.isEqual(stored.getBytes(), h.getBytes()))
                .orElse(false);
    }

    private String hash(String token) {
        return HexFormat.of().formatHex(secret.hmac(token));
    }
}
