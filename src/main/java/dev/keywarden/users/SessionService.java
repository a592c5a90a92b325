package dev.keywarden.users;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.format.ChecksummedFormat;
import dev.keywarden.auth.ServerSecret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Browser sessions: opens one at sign-in, resolves the session id a browser presents, ends one or all of a user's.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>a session id is {@code kw_ses_} + 32 base62 characters from {@code SecureRandom} (190 bits) + a checksum; it is
 *       returned once, to be put in the cookie, and stored only as its HMAC-SHA-256 under the server secret;</li>
 *   <li>every sign-in opens a new session with a new id (no fixation);</li>
 *   <li>{@link #resolve} refuses a session past its idle timeout or its absolute lifetime (and deletes it), and reads
 *       the store on every call, so a sign-out or revocation made by any instance holds on the next request;</li>
 *   <li>the CSRF token of a session ({@code kw_csrf_} + hex) is an HMAC of its id under the server secret: bound to the
 *       session, checkable in constant time, not derivable from anything stored, and masked in logs like other
 *       {@code kw_} credentials;</li>
 *   <li>security events name sessions by their public id ({@code ses_…}), never by the id the browser holds.</li>
 * </ul>
 */
public final class SessionService {

    public static final String METHOD_PASSWORD = "password";
    public static final String METHOD_OIDC = "oidc";
    /** A session's last use is written at most this often (the idle timeout is measured to this precision). */
    static final long TOUCH_INTERVAL_MILLIS = 15_000;
    private static final long SWEEP_INTERVAL_MILLIS = 600_000;
    private static final ChecksummedFormat FORMAT = new ChecksummedFormat("kw_ses_", 32, 6);
    private static final HexFormat HEX = HexFormat.of();

    private final SessionStore store;
    private final ServerSecret secret;
    private final Duration idleTimeout;
    private final Duration lifetime;
    private final Clock clock;
    private final SecurityEvents events;
    private volatile long lastSweep;

    public SessionService(SessionStore store, ServerSecret secret, Duration idleTimeout, Duration lifetime, Clock clock,
                          SecurityEvents events) {
        this.store = Objects.requireNonNull(store, "store");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.events = Objects.requireNonNull(events, "events");
    }

    /** A session just opened: {@code token} goes into the cookie and nowhere else. */
    public record NewSession(String token, String csrfToken, SessionRecord record) {
        @Override
        public String toString() {
            return "NewSession[" + record.id() + "]";
        }
    }

    /** A session that is valid now, with its CSRF token. */
    public record ActiveSession(SessionRecord record, String csrfToken) {
    }

    /** Opens a new session for {@code user}. */
    public NewSession open(User user, String method, String clientAddress) {
        long now = clock.millis();
        if (now - lastSweep > SWEEP_INTERVAL_MILLIS) {
            lastSweep = now;
            store.sweep(now);
        }
        String token = FORMAT.generate();
        SessionRecord record = new SessionRecord("ses_" + ChecksummedFormat.randomBase62(20), hash(token), user.id(), method,
                now, now, now + lifetime.toMillis(), clientAddress);
        store.insert(record);
        events.record(SecurityEvent.of("session.signed_in", user.id(), details("session", record.id(), "method", method,
                "client_address", clientAddress)));
        return new NewSession(token, csrfToken(token), record);
    }

    /** The session {@code token} names, when it exists and has neither idled out nor reached its absolute end. */
    public Optional<ActiveSession> resolve(String token) {
        if (!FORMAT.isWellFormed(token)) {
            return Optional.empty();
        }
        Optional<SessionRecord> found = store.findByTokenHash(hash(token));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SessionRecord s = found.get();
        long now = clock.millis();
        if (now >= s.expiresAt() || now - s.lastSeenAt() >= idleTimeout.toMillis()) {
            store.deleteByTokenHash(s.tokenHash());
            return Optional.empty();
        }
        if (now - s.lastSeenAt() >= TOUCH_INTERVAL_MILLIS) {
            store.touch(s, now);
            s = s.seenAt(now);
        }
        return Optional.of(new ActiveSession(s, csrfToken(token)));
    }

    /** Whether {@code presented} is the CSRF token of session {@code token} (constant time). */
    public boolean csrfValid(String token, String presented) {
        if (token == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(csrfToken(token).getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the session {@code token} names (sign-out); true when it existed. */
    public boolean signOut(String token, String clientAddress) {
        if (!FORMAT.isWellFormed(token)) {
            return false;
        }
        Optional<SessionRecord> s = store.findByTokenHash(hash(token));
        boolean ended = store.deleteByTokenHash(hash(token));
        s.ifPresent(r -> events.record(SecurityEvent.of("session.signed_out", r.userId(), details("session", r.id(),
                "client_address", clientAddress))));
        return ended;
    }

    /** Revokes one session by its public id ({@code ses_…}); the revoked session, if it existed. */
    public Optional<SessionRecord> revoke(String sessionId, String by) {
        Optional<SessionRecord> s = store.deleteById(sessionId);
        s.ifPresent(r -> events.record(SecurityEvent.of("session.revoked", r.userId(), details("session", r.id(), "by", by))));
        return s;
    }

    /** Revokes every session of {@code userId}; how many there were. */
    public int revokeAll(String userId, String reason) {
        int n = store.deleteByUser(userId);
        events.record(SecurityEvent.of("session.revoked_all", userId, details("reason", reason, "sessions", Integer.toString(n))));
        return n;
    }

    /** The sessions of {@code userId} that are still valid now. */
    public List<SessionRecord> list(String userId) {
        long now = clock.millis();
        return store.listByUser(userId).stream()
                .filter(s -> now < s.expiresAt() && now - s.lastSeenAt() < idleTimeout.toMillis()).toList();
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** Where sign-ins in progress are kept (the same place as sessions). */
    SessionStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }

    private String hash(String token) {
        return HEX.formatHex(secret.hmac(token));
    }

    private String csrfToken(String token) {
        return "kw_csrf_" + HEX.formatHex(secret.hmac("csrf:" + token));
    }

    /** Keyed by purpose: the HMAC of {@code value} for storage (OIDC state). */
    String keyedHash(String purpose, String value) {
        return HEX.formatHex(secret.hmac(purpose + ":" + value));
    }

    private static Map<String, String> details(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }
}
