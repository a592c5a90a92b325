package dev.keywarden.auth.token;

import java.time.Instant;

/**
 * A freshly minted token. {@code token} is the only copy of the plaintext there will ever be: hand it
 * to the client and drop it. {@link #toString()} never shows it.
 */
public record IssuedToken(String id, String token, String principalId, String issuerKeyId, Instant expiresAt,
                          long maxUses, TokenScopes scopes) {

    @Override
    public String toString() {
        return "IssuedToken[id=" + id + ", principal=" + principalId + ", expires_at=" + expiresAt + ", max_uses=" + maxUses + "]";
    }
}
