package dev.keywarden.byok;

import dev.keywarden.vault.crypto.UserKeyCrypto;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The browser session a request came with, as BYOK needs it: its public id, its user and end, and a key derived
 * (HKDF-SHA256) from the session secret the browser holds in its cookie. The server keeps only a keyed hash of that
 * secret, so this key exists only while a request of the session is being served; keys held for the session are
 * encrypted under it. An entry point that resolved a session makes one ({@link ByokService#session}) and
 * {@linkplain dev.keywarden.pipeline.ExchangeState#attach attaches} it to the call so the session's key can serve it.
 * {@link #toString()} shows no secret.
 */
public final class ByokSession {

    static final String INFO = "keywarden/byok-session/v1";

    private final String sessionId;
    private final String userId;
    private final long endsAt;
    private final byte[] key;

    ByokSession(String sessionToken, String sessionId, String userId, long endsAt) {
        this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
        this.userId = Objects.requireNonNull(userId, "userId");
        this.endsAt = endsAt;
        this.key = UserKeyCrypto.derivedKey(sessionToken.getBytes(StandardCharsets.UTF_8), INFO);
    }

    /** The session's public id ({@code ses_…}). */
    public String sessionId() {
        return sessionId;
    }

    public String userId() {
        return userId;
    }

    /** The session's absolute end, epoch milliseconds. */
    long endsAt() {
        return endsAt;
    }

    byte[] key() {
        return key;
    }

    @Override
    public String toString() {
        return "ByokSession[" + sessionId + "]";
    }
}
