package dev.keywarden.byok;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.config.ByokConfig;
import dev.keywarden.format.ChecksummedFormat;
import dev.keywarden.pipeline.CallerKeys;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.ExchangeState;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.UpstreamKey;
import dev.keywarden.store.Database;
import dev.keywarden.state.RedisState;
import dev.keywarden.vault.KeyVerification;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.UpstreamKeyVerifier;
import dev.keywarden.vault.crypto.Argon2idParams;
import dev.keywarden.vault.crypto.SealedSecret;
import dev.keywarden.vault.crypto.SecretCipher;
import dev.keywarden.vault.crypto.UserKeyCrypto;
import dev.keywarden.vault.crypto.VaultException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Users' own Anthropic keys (bring your own key): adding one in a mode the operator offers, its state, unlocking a
 * sealed one for a session, deleting it, and — as the pipeline's {@link CallerKeys} — the user's key for their calls.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A key is stored or held only after its format check and a live check upstream said it is valid; a key that
 *       fails either is not kept anywhere.</li>
 *   <li>server-held: envelope-encrypted under the vault KEK, bound to the user and key id; sealed: AES-256-GCM under
 *       an Argon2id key of the user's passphrase (never stored), bound to the user and key id; session-only and
 *       unlocked sealed keys: held ({@link HeldKeys}) only encrypted under a key derived from the session secret the
 *       browser holds. No database row, Redis value, log line, security event, exception or answer holds the key:
 *       only its fingerprint ({@code sk-ant-api03-…WXYZ}).</li>
 *   <li>A wrong passphrase changes nothing; repeated wrong passphrases are throttled per user.</li>
 *   <li>{@link #keyFor} returns only the calling principal's key: server-held for any of the user's calls; a sealed
 *       (unlocked) or session-only key only for calls carrying that session ({@link ByokSession}). A key upstream
 *       rejected (401) is marked invalid and each later call is refused with 403 saying so, never served with the
 *       operator's key behind the user's back.</li>
 * </ul>
 */
public final class ByokService implements CallerKeys {

    static final String SEALED_PURPOSE = "keywarden/byok-sealed";
    static final String HELD_PURPOSE = "keywarden/byok-session";
    static final int MIN_PASSPHRASE = 12;
    static final int UNLOCK_FAILURES = 5;
    static final Duration UNLOCK_WINDOW = Duration.ofMinutes(15);
    private static final Duration LOOKUP_TTL = Duration.ofSeconds(2);
    private static final String USER_KIND = "user";

    private final ByokConfig policy;
    private final ByokStore store;
    private final Optional<SecretCipher> vault;
    private final HeldKeys held;
    private final UpstreamKeyVerifier verifier;
    private final SecurityEvents events;
    private final Clock clock;
    private final Duration idleTimeout;
    private final Argon2idParams kdf;
    /** principal id → its stored key (opened when server-held), for {@link #LOOKUP_TTL}. */
    private final Cache<String, Optional<Resolved>> byPrincipal = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(LOOKUP_TTL).build();
    private final Cache<String, AtomicInteger> unlockFailures;

    private record Resolved(StoredKey stored, ProviderKey key) {
    }

    private ByokService(ByokConfig policy, ByokStore store, Optional<SecretCipher> vault, HeldKeys held,
                        UpstreamKeyVerifier verifier, SecurityEvents events, Clock clock, Duration idleTimeout, Argon2idParams kdf) {
        this.policy = policy;
        this.store = store;
        this.vault = vault;
        this.held = held;
        this.verifier = verifier;
        this.events = events;
        this.clock = clock;
        this.idleTimeout = idleTimeout;
        this.kdf = kdf;
        this.unlockFailures = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(UNLOCK_WINDOW).build();
    }

    /**
     * @param vault       the vault's envelope cipher; required when {@code server_held} is offered
     * @param redis       where session-held keys live in shared mode; memory otherwise
     * @param idleTimeout how long a session-held key lasts unused (the sessions' idle timeout)
     */
    public static ByokService open(ByokConfig policy, Database db, Optional<SecretCipher> vault, Optional<RedisState> redis,
                                   UpstreamKeyVerifier verifier, SecurityEvents events, Clock clock, Duration idleTimeout) {
        HeldKeys held = redis.<HeldKeys>map(r -> new RedisHeldKeys(r, clock)).orElseGet(() -> new MemoryHeldKeys(clock));
        return new ByokService(policy, new ByokStore(db), vault, held, verifier, events, clock, idleTimeout,
                Argon2idParams.DEFAULT);
    }

    /** The operator's policy ({@code byok.*}). */
    public ByokConfig policy() {
        return policy;
    }

    /** The BYOK view of a session: make it from the session secret the browser presented, its public id, user and end. */
    public ByokSession session(String sessionToken, String sessionId, String userId, long endsAt) {
        return new ByokSession(sessionToken, sessionId, userId, endsAt);
    }

    // ------------------------------------------------------------------ the user's key: state, add, unlock, delete

    /**
     * What a user sees of their key: never the key.
     *
     * @param mode        null when the user has no key
     * @param state       {@code none}, {@code active} (usable for the user's calls), {@code locked} (sealed, not unlocked
     *                    in this session), {@code unlocked} (sealed, unlocked for this session) or {@code invalid}
     *                    (upstream rejected it)
     * @param fingerprint {@code sk-ant-api03-…WXYZ}, null when none
     * @param message     what the state means for the user
     */
    public record Status(String mode, String state, String fingerprint, Instant createdAt, String message) {
    }

    /** The state of {@code userId}'s key as seen from {@code session} (null: no session). */
    public Status status(String userId, ByokSession session) {
        Optional<HeldKey> h = session == null ? Optional.empty() : held.get(session.sessionId()).filter(k -> k.userId().equals(userId));
        Optional<StoredKey> stored = store.byUser(userId);
        if (stored.isPresent()) {
            StoredKey s = stored.get();
            if (s.invalid()) {
                return invalidStatus(s.mode(), s.fingerprint(), s.createdAt());
            }
            if (s.mode() == ByokMode.SERVER_HELD) {
                return new Status(s.mode().wireName(), "active", s.fingerprint(), Instant.ofEpochMilli(s.createdAt()),
                        "your key serves your calls; it is stored encrypted under the gateway's key-encryption key");
            }
            boolean unlocked = h.isPresent() && h.get().keyId().equals(s.keyId()) && !h.get().invalid();
            return new Status(s.mode().wireName(), unlocked ? "unlocked" : "locked", s.fingerprint(),
                    Instant.ofEpochMilli(s.createdAt()), unlocked
                            ? "unlocked for this session only: it serves your calls from this session until you sign out or"
                            + " the session ends"
                            : "sealed under your passphrase: unlock it (POST /api/byok/unlock) to use it in this session;"
                            + " a forgotten passphrase cannot be recovered (delete the key and add it again)");
        }
        if (h.isPresent() && h.get().mode() == ByokMode.SESSION_ONLY) {
            HeldKey k = h.get();
            if (k.invalid()) {
                return invalidStatus(k.mode(), k.fingerprint(), null);
            }
            return new Status(k.mode().wireName(), "active", k.fingerprint(), null,
                    "held for this session only, never written to disk: gone at sign-out, session expiry or a gateway restart");
        }
        return new Status(null, "none", null, null, "no key of your own: your calls use the gateway's provider key");
    }

    private static Status invalidStatus(ByokMode mode, String fingerprint, Long createdAt) {
        return new Status(mode.wireName(), "invalid", fingerprint, createdAt == null ? null : Instant.ofEpochMilli(createdAt),
                "Anthropic rejected this key: it is no longer used and your calls are refused until you delete it or add a"
                        + " working key");
    }

    /**
     * Adds {@code key} as {@code userId}'s own key in {@code modeName}, replacing any key they had: format check, live
     * check upstream, then stored (server-held, sealed) or held for {@code session} (session-only; a sealed key is also
     * unlocked for the session it was added in).
     *
     * @param tier       the user's tier now (per-tier allow)
     * @param passphrase for {@code sealed}; zeroed by the caller
     * @throws ByokRefusal with the status and message for the client
     */
    public Status add(String userId, String principalId, String tier, String key, String modeName, char[] passphrase,
                      ByokSession session) {
        requireAllowed(tier);
        ByokMode mode = ByokMode.parse(modeName == null ? "" : modeName)
                .filter(m -> policy.offers(m.wireName()))
                .orElseThrow(() -> new ByokRefusal(400, ErrorType.INVALID_REQUEST, "\"mode\" must be one of "
                        + String.join(", ", policy.modes()) + " on this gateway"));
        if (mode != ByokMode.SERVER_HELD && session == null) {
            throw new ByokRefusal(400, ErrorType.INVALID_REQUEST, "a " + mode.wireName() + " key is added from a signed-in"
                    + " browser session");
        }
        if (mode == ByokMode.SEALED && (passphrase == null || passphrase.length < MIN_PASSPHRASE)) {
            throw new ByokRefusal(400, ErrorType.INVALID_REQUEST, "a sealed key needs a \"passphrase\" of at least "
                    + MIN_PASSPHRASE + " characters; it is never stored, and a forgotten one cannot be recovered");
        }
        SecretCipher cipher = null;
        if (mode == ByokMode.SERVER_HELD) {
            cipher = vault.orElseThrow(() -> new ByokRefusal(503, ErrorType.API, "server-held keys need the gateway's vault"
                    + " (vault.kek); ask the operator"));
            if (cipher.sealed()) {
                throw new ByokRefusal(503, ErrorType.API, "the gateway's key vault is sealed; an operator must unseal it before"
                        + " a server-held key can be stored");
            }
        }
        String problem = KeyShape.problem(key);
        if (problem != null) {
            throw new ByokRefusal(400, ErrorType.INVALID_REQUEST, problem);
        }
        String fingerprint = ProviderKey.fingerprintOf(key);
        byte[] plain = key.getBytes(StandardCharsets.UTF_8);
        try {
            verify(plain, fingerprint);
            String keyId = "byok_" + ChecksummedFormat.randomBase62(20);
            long now = clock.millis();
            forgetUserKeys(userId, principalId);
            switch (mode) {
                case SERVER_HELD -> {
                    SealedSecret envelope = cipher.seal(StoredKey.recordId(userId, keyId), plain);
                    store.put(new StoredKey(userId, keyId, principalId, mode, fingerprint, false, envelope, null, null, null, now));
                }
                case SEALED -> {
                    byte[] salt = UserKeyCrypto.random(UserKeyCrypto.SALT_BYTES);
                    byte[] k = UserKeyCrypto.passphraseKey(passphrase, salt, kdf);
                    try {
                        byte[] sealed = UserKeyCrypto.seal(k, plain, SEALED_PURPOSE, userId, keyId);
                        store.put(new StoredKey(userId, keyId, principalId, mode, fingerprint, false, null, salt, kdf, sealed, now));
                    } finally {
                        UserKeyCrypto.wipe(k);
                    }
                    hold(session, principalId, keyId, mode, fingerprint, plain);
                }
                case SESSION_ONLY -> hold(session, principalId, keyId, mode, fingerprint, plain);
            }
            byPrincipal.invalidate(principalId);
            events.record(SecurityEvent.of("byok.key_added", userId, details("key_id", keyId, "mode", mode.wireName(),
                    "fingerprint", fingerprint, "session", session == null ? null : session.sessionId())));
        } finally {
            UserKeyCrypto.wipe(plain);
        }
        return status(userId, session);
    }

    /**
     * Unlocks {@code userId}'s sealed key for {@code session} with {@code passphrase}. A wrong passphrase leaves the key
     * as it was (403); after {@value #UNLOCK_FAILURES} wrong ones in 15 minutes the user waits (429).
     */
    public Status unlock(String userId, char[] passphrase, ByokSession session) {
        Objects.requireNonNull(session, "session");
        StoredKey s = store.byUser(userId).orElseThrow(() -> new ByokRefusal(404, ErrorType.NOT_FOUND,
                "you have no key of your own to unlock; add one first (POST /api/byok)"));
        if (s.mode() != ByokMode.SEALED) {
            throw new ByokRefusal(409, ErrorType.INVALID_REQUEST, "your key is " + s.mode().wireName()
                    + ", not sealed: there is nothing to unlock");
        }
        if (s.invalid()) {
            throw new ByokRefusal(409, ErrorType.INVALID_REQUEST, "Anthropic rejected this key (" + s.fingerprint()
                    + "): delete it and add a working one");
        }
        AtomicInteger failures = unlockFailures.get(userId, u -> new AtomicInteger());
        if (failures.get() >= UNLOCK_FAILURES) {
            throw new ByokRefusal(429, ErrorType.RATE_LIMIT, "too many wrong passphrases; try again in "
                    + UNLOCK_WINDOW.toMinutes() + " minutes");
        }
        if (passphrase == null || passphrase.length == 0) {
            throw new ByokRefusal(400, ErrorType.INVALID_REQUEST, "send your key's \"passphrase\"");
        }
        byte[] k = UserKeyCrypto.passphraseKey(passphrase, s.salt(), s.kdf());
        byte[] plain;
        try {
            plain = UserKeyCrypto.open(k, s.sealedKey(), SEALED_PURPOSE, s.userId(), s.keyId());
        } catch (VaultException wrong) {
            failures.incrementAndGet();
            events.record(SecurityEvent.of("byok.unlock_failed", userId, details("key_id", s.keyId(), "session",
                    session.sessionId())));
            throw new ByokRefusal(403, ErrorType.PERMISSION, "wrong passphrase: your key is unchanged and still sealed"
                    + " (a forgotten passphrase cannot be recovered: delete the key and add it again)");
        } finally {
            UserKeyCrypto.wipe(k);
        }
        try {
            if (!ProviderKey.fingerprintOf(new String(plain, StandardCharsets.UTF_8)).equals(s.fingerprint())) {
                throw new ByokRefusal(409, ErrorType.INVALID_REQUEST, "your stored key does not match its fingerprint; delete it"
                        + " and add it again");
            }
            unlockFailures.invalidate(userId);
            hold(session, s.principalId(), s.keyId(), s.mode(), s.fingerprint(), plain);
            events.record(SecurityEvent.of("byok.unlocked", userId, details("key_id", s.keyId(), "session", session.sessionId())));
        } finally {
            UserKeyCrypto.wipe(plain);
        }
        return status(userId, session);
    }

    /** Deletes {@code userId}'s key in every mode, stored or held for any of their sessions; true when there was one. */
    public boolean delete(String userId, String principalId, ByokSession session) {
        boolean deleted = forgetUserKeys(userId, principalId);
        if (deleted) {
            events.record(SecurityEvent.of("byok.key_deleted", userId, details("session", session == null ? null : session.sessionId())));
        }
        return deleted;
    }

    /** Forgets the key held for session {@code sessionId} (sign-out). A sealed key stays stored, locked. */
    public void forgetSession(String sessionId) {
        held.remove(sessionId);
    }

    /** Deletes the user's stored key and every key held for their sessions; true when there was any. */
    private boolean forgetUserKeys(String userId, String principalId) {
        boolean held = this.held.removeUser(userId);
        boolean stored = store.delete(userId);
        byPrincipal.invalidate(principalId);
        return held || stored;
    }

    private void requireAllowed(String tier) {
        if (!policy.enabled()) {
            throw new ByokRefusal(403, ErrorType.PERMISSION, "bring your own key is not enabled on this gateway (byok.enabled)");
        }
        if (!policy.allowsTier(tier)) {
            throw new ByokRefusal(403, ErrorType.PERMISSION, "your tier (" + tier + ") may not bring its own key on this gateway"
                    + " (byok.tiers)");
        }
    }

    private void verify(byte[] plain, String fingerprint) {
        KeyVerification v = verifier.verify(plain);
        if (v instanceof KeyVerification.Rejected r) {
            throw new ByokRefusal(400, ErrorType.INVALID_REQUEST, "Anthropic rejected this key (" + fingerprint + ", HTTP "
                    + r.status() + (r.errorType().isEmpty() ? "" : " " + r.errorType()) + "): it was not stored");
        }
        if (v instanceof KeyVerification.Unverifiable u) {
            throw new ByokRefusal(503, ErrorType.API, "the key could not be checked with Anthropic right now (" + u.reason()
                    + "): it was not stored; try again shortly");
        }
    }

    private void hold(ByokSession session, String principalId, String keyId, ByokMode mode, String fingerprint, byte[] plain) {
        byte[] ciphertext = UserKeyCrypto.seal(session.key(), plain, HELD_PURPOSE, session.userId(), session.sessionId(), keyId);
        held.put(session.sessionId(), new HeldKey(session.userId(), principalId, keyId, mode, fingerprint, false, ciphertext),
                idleTimeout.toMillis(), session.endsAt());
    }

    // ------------------------------------------------------------------ per call (CallerKeys)

    @Override
    public boolean countsTowardBudget() {
        return policy.countTowardBudget();
    }

    /**
     * The calling user's own key: the one held for the call's session (attached {@link ByokSession}), else their
     * server-held key. Empty when BYOK is off, the caller is not a user or their tier may not bring a key, or the key
     * is sealed and locked for this call; refuses (403) when their key was rejected upstream.
     */
    @Override
    public Optional<UpstreamKey> keyFor(ExchangeState call) {
        ClientIdentity who = call.identity();
        if (!policy.enabled() || who == null || who.principalId() == null || !USER_KIND.equals(who.principalKind())
                || !policy.allowsTier(who.principalTier())) {
            return Optional.empty();
        }
        ByokSession session = call.attachment(ByokSession.class);
        if (session != null) {
            Optional<HeldKey> h = held.get(session.sessionId());
            if (h.isPresent() && h.get().principalId().equals(who.principalId()) && h.get().userId().equals(session.userId())) {
                HeldKey k = h.get();
                if (k.invalid()) {
                    throw rejected(k.fingerprint());
                }
                byte[] plain = UserKeyCrypto.open(session.key(), k.ciphertext(), HELD_PURPOSE, k.userId(), session.sessionId(),
                        k.keyId());
                try {
                    String sessionId = session.sessionId();
                    return Optional.of(ProviderKey.userSupplied(k.keyId(), new String(plain, StandardCharsets.UTF_8),
                            status -> rejectedUpstream(k.userId(), who.principalId(), k.keyId(), k.fingerprint(), sessionId, status)));
                } finally {
                    UserKeyCrypto.wipe(plain);
                }
            }
        }
        Optional<Resolved> stored;
        try {
            stored = byPrincipal.get(who.principalId(), this::resolve);
        } catch (VaultException cannotOpen) {
            throw new Refusal(503, ErrorType.API, "the gateway cannot open your own API key right now"
                    + (cannotOpen instanceof dev.keywarden.vault.crypto.VaultSealedException ? " (its vault is sealed)" : "")
                    + "; retry shortly");
        }
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        if (stored.get().stored().invalid()) {
            throw rejected(stored.get().stored().fingerprint());
        }
        return Optional.ofNullable(stored.get().key());
    }

    /** The principal's stored key, opened when it is server-held (a sealed one stays closed: key null). */
    private Optional<Resolved> resolve(String principalId) {
        Optional<StoredKey> found = store.byPrincipal(principalId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        StoredKey s = found.get();
        if (s.mode() != ByokMode.SERVER_HELD || s.invalid()) {
            return Optional.of(new Resolved(s, null));
        }
        SecretCipher cipher = vault.orElseThrow(() -> new VaultException("a server-held user key exists but the vault is off"));
        byte[] plain = cipher.open(StoredKey.recordId(s.userId(), s.keyId()), s.envelope());
        try {
            String secret = new String(plain, StandardCharsets.UTF_8);
            if (!ProviderKey.fingerprintOf(secret).equals(s.fingerprint())) {
                throw new VaultException("user key " + s.keyId() + " opened to a key that does not match its fingerprint");
            }
            return Optional.of(new Resolved(s, ProviderKey.userSupplied(s.keyId(), secret,
                    status -> rejectedUpstream(s.userId(), principalId, s.keyId(), s.fingerprint(), null, status))));
        } finally {
            UserKeyCrypto.wipe(plain);
        }
    }

    private static Refusal rejected(String fingerprint) {
        return new Refusal(403, ErrorType.PERMISSION, "Anthropic rejected your own API key (" + fingerprint + "), so it is no"
                + " longer used: add a working key or delete it (DELETE /api/byok)");
    }

    /** Upstream answered {@code status} for a user's key: 401 marks it invalid (the user is told on their next call). */
    private void rejectedUpstream(String userId, String principalId, String keyId, String fingerprint, String sessionId, int status) {
        if (status != 401) {
            return; // 403 concerns the resource asked for, not the key
        }
        store.markInvalid(keyId, clock.millis());
        if (sessionId != null) {
            held.markInvalid(sessionId, keyId);
        }
        byPrincipal.invalidate(principalId);
        events.record(SecurityEvent.of("byok.key_rejected", userId, details("key_id", keyId, "fingerprint", fingerprint,
                "status", Integer.toString(status), "action", "marked invalid; the user's calls are refused until they replace it")));
    }

    private static Map<String, String> details(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "ByokService[enabled=" + policy.enabled() + ", modes=" + policy.modes() + "]";
    }
}
