package dev.keywarden.byok;

import dev.keywarden.config.ByokConfig;
import java.util.Optional;

/**
 * How a user's own key is kept.
 * <ul>
 *   <li>{@link #SERVER_HELD}: in the database, envelope-encrypted under the vault's KEK; usable for every call of the
 *       user until deleted. The gateway can decrypt it.</li>
 *   <li>{@link #SEALED}: in the database, encrypted under a key derived (Argon2id) from a passphrase only the user
 *       knows; unusable until unlocked in a session, then held for that session only.</li>
 *   <li>{@link #SESSION_ONLY}: never on disk; held for one session (idle timeout), gone at sign-out, expiry, restart.</li>
 * </ul>
 */
public enum ByokMode {
    SERVER_HELD(ByokConfig.SERVER_HELD), SEALED(ByokConfig.SEALED), SESSION_ONLY(ByokConfig.SESSION_ONLY);

    private final String wireName;

    ByokMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The mode named {@code text} ({@code server_held}, {@code sealed}, {@code session_only}), or empty. */
    public static Optional<ByokMode> parse(String text) {
        for (ByokMode m : values()) {
            if (m.wireName.equals(text)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
