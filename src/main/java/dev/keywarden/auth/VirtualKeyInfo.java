package dev.keywarden.auth;

import java.time.Instant;

/**
 * What may be shown about a virtual key after its creation: never the key itself. {@code lastUsedAt}
 * is null when the key was never used, {@code revokedAt} null while it is active,
 * {@code principalId} the owning principal ({@code pr_…}), null when unknown.
 */
public record VirtualKeyInfo(String name, String id, String prefix, Instant createdAt, Instant lastUsedAt,
                             Instant revokedAt, String principalId) {

    /** A key whose principal is not known (listings from an older admin API). */
    public VirtualKeyInfo(String name, String id, String prefix, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
        this(name, id, prefix, createdAt, lastUsedAt, revokedAt, null);
    }

    /** True once the key has been revoked. */
    public boolean isRevoked() {
        return revokedAt != null;
    }

    /** {@code "active"} or {@code "revoked"}. */
    public String state() {
        return isRevoked() ? "revoked" : "active";
    }
}
