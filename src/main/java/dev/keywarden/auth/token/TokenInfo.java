package dev.keywarden.auth.token;

import java.time.Instant;

/**
 * What may be shown about a token after it was minted: never the token itself.
 *
 * @param state {@code active}, {@code expired}, {@code exhausted} or {@code revoked} when listed
 */
public record TokenInfo(String id, String principalId, String issuerKeyId, Instant createdAt, Instant expiresAt,
                        long uses, long maxUses, Instant revokedAt, TokenScopes scopes, String state) {
}
