package dev.keywarden.store;

/**
 * One row of {@code virtual_keys}. Holds no secret: {@code keyHash} is the hex HMAC-SHA-256 of the
 * key under the server secret, {@code prefix} the non-secret display prefix. Times are epoch
 * milliseconds; {@code lastUsedAt} and {@code revokedAt} are null when it never happened; {@code principalId}
 * is the owning principal ({@code principals.id}), null only for rows made outside the key service;
 * {@code expiresAt} is null for a key that never expires; {@code previousKeyHash} is the hash of the
 * secret the last rotation replaced, accepted until {@code previousValidUntil} (both null when the key
 * was never rotated).
 */
public record VirtualKeyRecord(String id, String name, String prefix, String keyHash,
                               long createdAt, Long lastUsedAt, Long revokedAt, String principalId,
                               Long expiresAt, String previousKeyHash, Long previousValidUntil) {

    /** A key that never expires and was never rotated. */
    public VirtualKeyRecord(String id, String name, String prefix, String keyHash,
                            long createdAt, Long lastUsedAt, Long revokedAt, String principalId) {
        this(id, name, prefix, keyHash, createdAt, lastUsedAt, revokedAt, principalId, null, null, null);
    }

    /** A key that belongs to no principal (rows written before principals existed). */
    public VirtualKeyRecord(String id, String name, String prefix, String keyHash,
                            long createdAt, Long lastUsedAt, Long revokedAt) {
        this(id, name, prefix, keyHash, createdAt, lastUsedAt, revokedAt, null);
    }

    /** True once the key has been revoked. */
    public boolean isRevoked() {
        return revokedAt != null;
    }

    /** True when the key has an expiry and {@code nowMillis} has reached it. */
    public boolean isExpiredAt(long nowMillis) {
        return expiresAt != null && nowMillis >= expiresAt;
    }
}
