package dev.keywarden.auth.token;

/**
 * One row of the {@code tokens} table (never the token itself, only its keyed hash), with the name and
 * revocation time of the virtual key that issued it, or for a token minted by a signed-in user the user's name and
 * the time the user was disabled (name null when the issuer no longer exists).
 */
record TokenRecord(String id, String tokenHash, String principalId, String issuerKeyId, String scopesJson,
                   long expiresAt, long maxUses, long uses, Long revokedAt, long createdAt,
                   String issuerName, Long issuerRevokedAt) {
}
