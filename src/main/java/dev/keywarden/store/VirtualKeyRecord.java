package dev.keywarden.store;

/**
 * One row of {@code virtual_keys}. Holds no secret: {@code keyHash} is the hex HMAC-SHA-256 of the
 * key under the server secret, {@code prefix} the non-secret display prefix. Times are epoch
 * milliseconds; {@code lastUsedAt} and {@code revokedAt} are null when it never happened; {@code principalId}
 * is the owning principal ({@code principals.id}), null only for rows made outside the key service.
 */
public record VirtualKeyRecord(String id, String name, String prefix, String keyHash,
                               long createdAt, Long lastUsedAt, Long revokedAt, String principalId) {

    /** A key that belongs to no principal (rows written before principals existed). */
    public VirtualKeyRecord(String id, String name, String prefix, String keyHash,
                            long createdAt, Long lastUsedAt, Long revokedAt) {
        this(id, name, prefix, keyHash, createdAt, lastUsedAt, revokedAt, null);
    }

    /** True once the key has been revoked. */
    public boolean isRevoked() {
        return revokedAt != null;
    }
}
