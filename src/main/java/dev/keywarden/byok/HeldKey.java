package dev.keywarden.byok;

/**
 * A user's own key held for one browser session (a sealed key unlocked in it, or a session-only key), as kept in
 * memory or Redis: {@code ciphertext} is the key under a key derived from the session's secret, which only the
 * browser holds ({@link ByokSession}), so the holder alone (a memory or Redis dump) opens nothing.
 */
record HeldKey(String userId, String principalId, String keyId, ByokMode mode, String fingerprint, boolean invalid,
               byte[] ciphertext) {

    HeldKey asInvalid() {
        return new HeldKey(userId, principalId, keyId, mode, fingerprint, true, ciphertext);
    }

    @Override
    public String toString() {
        return "HeldKey[" + keyId + " " + mode.wireName() + " " + fingerprint + (invalid ? " invalid" : "") + "]";
    }
}
