package dev.keywarden.auth;

import java.time.Instant;

/**
 * A virtual key just created. This is the only place its plaintext ever exists: it is shown to the
 * operator once and cannot be recovered later. {@link #toString()} leaves the key out so the value
 * does not escape through a log line or a debugger by accident.
 */
public record CreatedVirtualKey(String id, String key, String prefix, Instant createdAt) {

    @Override
    public String toString() {
        return "CreatedVirtualKey[id=" + id + ", prefix=" + prefix + ", createdAt=" + createdAt + ", key=hidden]";
    }
}
