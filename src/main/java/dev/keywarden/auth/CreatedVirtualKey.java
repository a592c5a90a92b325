package dev.keywarden.auth;

import java.time.Instant;

/**
 * A virtual key just created. This is the only place its plaintext ever exists: it is shown to the
 * operator once and cannot be recovered later. {@link #toString()} leaves the key out so the value
 * does not escape through a log line or a debugger by accident. {@code expiresAt} is null for a key
 * that never expires; {@code previousValidUntil} is set only by a rotation: until then the secret it
 * replaced still works.
 */
public record CreatedVirtualKey(String id, String key, String prefix, Instant createdAt, Instant expiresAt,
                                Instant previousValidUntil) {

    /** A key that never expires, just created (not by a rotation). */
    public CreatedVirtualKey(String id, String key, String prefix, Instant createdAt) {
        this(id, key, prefix, createdAt, null, null);
    }

    /** A key just created (not by a rotation); {@code expiresAt} null for never. */
    public CreatedVirtualKey(String id, String key, String prefix, Instant createdAt, Instant expiresAt) {
        this(id, key, prefix, createdAt, expiresAt, null);
    }

    @Override
    public String toString() {
        return "CreatedVirtualKey[id=" + id + ", prefix=" + prefix + ", createdAt=" + createdAt + ", expiresAt=" + expiresAt
                + ", previousValidUntil=" + previousValidUntil + ", key=hidden]";
    }
}
