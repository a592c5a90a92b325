package dev.keywarden.auth;

import java.time.Duration;
import java.time.Instant;

/**
 * What may be shown about a virtual key after its creation: never the key itself. {@code lastUsedAt}
 * is null when the key was never used, {@code revokedAt} null while it is active,
 * {@code principalId} the owning principal ({@code pr_…}), null when unknown, {@code expiresAt} null
 * for a key that never expires, {@code previousValidUntil} when the secret a rotation replaced stops
 * working (null when the key was never rotated).
 */
public record VirtualKeyInfo(String name, String id, String prefix, Instant createdAt, Instant lastUsedAt,
                             Instant revokedAt, String principalId, Instant expiresAt, Instant previousValidUntil) {

    /** A key that never expires and was never rotated. */
    public VirtualKeyInfo(String name, String id, String prefix, Instant createdAt, Instant lastUsedAt,
                          Instant revokedAt, String principalId) {
        this(name, id, prefix, createdAt, lastUsedAt, revokedAt, principalId, null, null);
    }

    /** A key whose principal is not known (listings from an older admin API). */
    public VirtualKeyInfo(String name, String id, String prefix, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
        this(name, id, prefix, createdAt, lastUsedAt, revokedAt, null);
    }

    /** True once the key has been revoked. */
    public boolean isRevoked() {
        return revokedAt != null;
    }

    /** True when the key has an expiry and {@code now} has reached it. */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** {@code "active"} or {@code "revoked"}. */
    public String state() {
        return isRevoked() ? "revoked" : "active";
    }

    /** {@code "active"}, {@code "expired"} or {@code "revoked"} at {@code now}. */
    public String state(Instant now) {
        return isRevoked() ? "revoked" : isExpiredAt(now) ? "expired" : "active";
    }

    /** Whole days since the key was last used (since its creation when never used) at {@code now}. */
    public long unusedDays(Instant now) {
        Instant since = lastUsedAt != null ? lastUsedAt : createdAt;
        return since == null || since.isAfter(now) ? 0 : Duration.between(since, now).toDays();
    }

    /** True when the key's old secret (replaced by a rotation) is still accepted at {@code now}. */
    public boolean inRotationGrace(Instant now) {
        return previousValidUntil != null && now.isBefore(previousValidUntil);
    }
}
