package dev.keywarden.auth;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.Authenticator;
import dev.keywarden.pipeline.AuthOutcome;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.keywarden.config.ConfigException;
import dev.keywarden.store.Database;
import dev.keywarden.store.SettingsStore;
import dev.keywarden.store.VirtualKeyRecord;
import dev.keywarden.store.VirtualKeyStore;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Creates, lists and revokes virtual keys ({@code kw_…}) and authenticates them on the request path.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>a key's plaintext exists only in the {@link CreatedVirtualKey} returned by {@link #create};
 *       the store holds its HMAC-SHA-256 under the {@link ServerSecret};</li>
 *   <li>{@link #authenticate} never logs or echoes the presented value, refuses a malformed value or a
 *       bad checksum without touching the store, costs one HMAC and one cache lookup for a known key,
 *       and compares hashes in constant time;</li>
 *   <li>a revocation through this service takes effect at once; one done by another process sharing
 *       the database takes effect within the cache time-to-live (5 seconds);</li>
 *   <li>last-use times are kept in memory and written in batches (every 30 seconds and on
 *       {@link #close()}), never one write per request;</li>
 *   <li>when the store cannot be read, {@link #authenticate} throws
 *       {@link dev.keywarden.store.StoreException} rather than guess; callers fail closed.</li>
 * </ul>
 */
public final class VirtualKeyService implements Authenticator, AutoCloseable {

    static final String MISSING_MESSAGE =
            "missing credential: send your Keywarden virtual key in the x-api-key header or as Authorization: Bearer <key>";
    static final String PROVIDER_KEY_MESSAGE =
            "an Anthropic API key was sent; clients must use a Keywarden virtual key, the provider key stays on the server";
    static final String INVALID_MESSAGE = "invalid virtual key";
    static final String REVOKED_MESSAGE = "this virtual key was revoked";

    static final String CREDENTIAL_KIND = "virtual_key";
    static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(5);
    static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(30);
    static final int CACHE_MAXIMUM_SIZE = 100_000;
    static final int NAME_MAX_LENGTH = 100;
    static final String SECRET_CHECK_SETTING = "server_secret_check";

    private static final String ID_PREFIX = "vk_";
    private static final int ID_RANDOM_LENGTH = 14;
    private static final String SECRET_CHECK_INPUT = "keywarden:server-secret-check:v1";
    private static final HexFormat HEX = HexFormat.of();

    private static final AuthOutcome.Rejected MISSING = AuthOutcome.unknown(MISSING_MESSAGE);
    private static final AuthOutcome.Rejected PROVIDER_KEY = AuthOutcome.unknown(PROVIDER_KEY_MESSAGE);
    private static final AuthOutcome.Rejected INVALID = AuthOutcome.unknown(INVALID_MESSAGE);
    private static final AuthOutcome.Rejected REVOKED = AuthOutcome.unusable(REVOKED_MESSAGE);

    /**
     * What the cache remembers about a hash: the outcome to return, or that no key has it; for an active
     * key also when it expires and, for the secret a rotation replaced, until when it is accepted
     * (epoch millis, null for never). Times are checked on every call, so a cached entry never outlives them.
     */
    private record Known(byte[] keyHash, AuthOutcome outcome, Long expiresAt, Long acceptedUntil) {
        static final Known UNKNOWN = new Known(new byte[0], INVALID, null, null);
    }

    private final VirtualKeyStore store;
    private final PrincipalService principals;
    private final ServerSecret secret;
    private final Clock clock;
    private final Cache<String, Known> byHash;
    private final LastUsedRecorder lastUsed;
    private final ScheduledExecutorService flusher;
    private volatile boolean closed;

    /**
     * The service over {@code database}, with a 5-second cache and a background flush of last-use times
     * every 30 seconds.
     *
     * @throws ConfigException when the database was set up with a different server secret
     */
    public static VirtualKeyService open(Database database, ServerSecret secret) {
        return open(database, secret, new PrincipalService(database, "free", PrincipalService.anyWellFormedTier()));
    }

    /** As {@link #open(Database, ServerSecret)}, with keys belonging to principals of {@code principals}. */
    public static VirtualKeyService open(Database database, ServerSecret secret, PrincipalService principals) {
        return new VirtualKeyService(new VirtualKeyStore(database), new SettingsStore(database), secret,
                Clock.systemUTC(), Ticker.systemTicker(), DEFAULT_CACHE_TTL, DEFAULT_FLUSH_INTERVAL, principals);
    }

    /**
     * @param flushInterval how often last-use times are written; null for no background flush (tests)
     */
    VirtualKeyService(VirtualKeyStore store, SettingsStore settings, ServerSecret secret, Clock clock, Ticker ticker,
                      Duration cacheTtl, Duration flushInterval) {
        this(store, settings, secret, clock, ticker, cacheTtl, flushInterval, null);
    }

    VirtualKeyService(VirtualKeyStore store, SettingsStore settings, ServerSecret secret, Clock clock, Ticker ticker,
                      Duration cacheTtl, Duration flushInterval, PrincipalService principals) {
        this.store = Objects.requireNonNull(store, "store");
        this.principals = principals;
        this.secret = Objects.requireNonNull(secret, "secret");
        this.clock = Objects.requireNonNull(clock, "clock");
        verifySameSecret(settings, secret);
        this.byHash = Caffeine.newBuilder()
                .maximumSize(CACHE_MAXIMUM_SIZE)
                .expireAfterWrite(cacheTtl)
                .ticker(ticker)
                .build();
        this.lastUsed = new LastUsedRecorder(store);
        if (flushInterval == null) {
            this.flusher = null;
        } else {
            this.flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "keywarden-last-used-flush");
                thread.setDaemon(true);
                return thread;
            });
            long millis = flushInterval.toMillis();
            flusher.scheduleWithFixedDelay(lastUsed::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Every process sharing a database must hash with the same secret, or keys created by one are
     * "invalid" in the other. The first service to open the database records a check value of its
     * secret; a later one with another secret is refused with a message that says why.
     */
    private static void verifySameSecret(SettingsStore settings, ServerSecret secret) {
        String mine = HEX.formatHex(secret.hmac(SECRET_CHECK_INPUT));
        String recorded = settings.putIfAbsent(SECRET_CHECK_SETTING, mine);
        if (!MessageDigest.isEqual(HEX.parseHex(recorded), HEX.parseHex(mine))) {
            throw new ConfigException(SECRET_CHANGED);
        }
    }

    /** What a changed server secret would break, and the fix: the one line start-up and doctor print. */
    public static final String SECRET_CHANGED = "the server secret (server_secret / " + ServerSecret.ENV_VAR + ", else the "
            + ServerSecret.FILE_NAME + " file in the data directory) differs from the one the credentials and audit chains in"
            + " this database were made with: with it every virtual key (kw_...), short-lived token and admin token (kwadm_...)"
            + " stored here would be refused and no audit checkpoint MAC would verify; restore the original secret (from"
            + " backup), and give every process that shares the database the same one";

    /**
     * Whether {@code secret} is the one the database's credentials were made with: empty when the database
     * has recorded none yet (nothing made with it), else the comparison (constant time). Reads only.
     */
    public static java.util.Optional<Boolean> matchesRecordedSecret(Database database, ServerSecret secret) {
        return new SettingsStore(database).get(SECRET_CHECK_SETTING).map(recorded -> MessageDigest.isEqual(
                HEX.parseHex(recorded), secret.hmac(SECRET_CHECK_INPUT)));
    }

    /**
     * Creates a new active virtual key named {@code name}, belonging to the principal of the same name
     * (created as an app on the default tier when there is none).
     *
     * @param name who or what the key is for (1 to 100 characters, no control characters)
     * @return the key's id, prefix, creation time and plaintext, which is never available again
     */
    public CreatedVirtualKey create(String name) {
        return create(name, null);
    }

    /**
     * Creates a new active virtual key named {@code name} for the principal {@code principal} (id or
     * name); null means the principal named like the key, created when missing.
     *
     * @throws IllegalArgumentException for a bad name or a principal that does not exist
     */
    public CreatedVirtualKey create(String name, String principal) {
        return create(name, principal, null);
    }

    /**
     * As {@link #create(String, String)}, for a key refused after {@code expiresIn} (null: never expires).
     *
     * @throws IllegalArgumentException for a bad name, a principal that does not exist or an expiry not in the future
     */
    public CreatedVirtualKey create(String name, String principal, Duration expiresIn) {
        String cleanName = validName(name);
        if (expiresIn != null && (expiresIn.isNegative() || expiresIn.isZero())) {
            throw new IllegalArgumentException("a virtual key's expiry must be in the future");
        }
        String principalId = null;
        if (principals != null) {
            principalId = (principal == null || principal.isBlank()
                    ? principals.findOrCreateForKeyName(cleanName)
                    : principals.find(principal).orElseThrow(() -> new PrincipalService.NoSuchPrincipalException(principal))).id();
        }
        String key = VirtualKeyFormat.generate();
        byte[] hash = secret.hmac(key);
        String hashHex = HEX.formatHex(hash);
        String id = ID_PREFIX + VirtualKeyFormat.randomBase62(ID_RANDOM_LENGTH);
        String prefix = VirtualKeyFormat.displayPrefix(key);
        long now = clock.millis();
        Long expiresAt = expiresIn == null ? null : now + expiresIn.toMillis();
        store.insert(new VirtualKeyRecord(id, cleanName, prefix, hashHex, now, null, null, principalId, expiresAt, null, null));
        byHash.invalidate(hashHex);
        return new CreatedVirtualKey(id, key, prefix, Instant.ofEpochMilli(now), instant(expiresAt));
    }

    /**
     * Gives the key with this id or display prefix a new secret, returned once. The key keeps its id,
     * name, principal, budgets and expiry; its old secret keeps working for {@code grace} (zero: refused
     * at once), so clients can move over without an outage. A secret an earlier rotation kept in its grace
     * period is refused from now on. Takes effect at once in this process, within the cache time-to-live
     * (5 seconds) in others sharing the database.
     *
     * @return the new secret, with {@link CreatedVirtualKey#previousValidUntil()} saying until when the old one works
     * @throws NoSuchKeyException when no key matches
     * @throws IllegalArgumentException when several keys match, or the key is revoked or expired
     */
    public CreatedVirtualKey rotate(String idOrPrefix, Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("the grace period of a rotation must be zero or more");
        }
        List<VirtualKeyRecord> matches = find(idOrPrefix);
        if (matches.size() != 1) {
            if (matches.isEmpty()) {
                throw new NoSuchKeyException(idOrPrefix);
            }
            throw new IllegalArgumentException("prefix " + idOrPrefix.strip() + " matches " + matches.size() + " virtual keys; rotate by id instead (see: keywarden keys list)");
        }
        VirtualKeyRecord current = matches.getFirst();
        long now = clock.millis();
        if (current.isRevoked()) {
            throw new IllegalArgumentException("virtual key " + current.id() + " is revoked; create a new one instead");
        }
        if (current.isExpiredAt(now)) {
            throw new IllegalArgumentException("virtual key " + current.id() + " expired at " + instant(current.expiresAt())
                    + "; create a new one instead");
        }
        String key = VirtualKeyFormat.generate();
        String hashHex = HEX.formatHex(secret.hmac(key));
        String prefix = VirtualKeyFormat.displayPrefix(key);
        long validUntil = now + grace.toMillis();
        if (!store.rotate(current.id(), hashHex, prefix, validUntil)) {
            throw new IllegalArgumentException("virtual key " + current.id() + " was revoked meanwhile; create a new one instead");
        }
        byHash.invalidate(current.keyHash());
        if (current.previousKeyHash() != null) {
            byHash.invalidate(current.previousKeyHash());
        }
        byHash.invalidate(hashHex);
        return new CreatedVirtualKey(current.id(), key, prefix, Instant.ofEpochMilli(now), instant(current.expiresAt()),
                Instant.ofEpochMilli(validUntil));
    }

    private static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a virtual key needs a name saying who or what it is for");
        }
        String clean = name.strip();
        if (clean.length() > NAME_MAX_LENGTH) {
            throw new IllegalArgumentException("a virtual key name has at most " + NAME_MAX_LENGTH
                    + " characters (this one has " + clean.length() + ")");
        }
        if (clean.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a virtual key name must not contain control characters (tabs, line breaks)");
        }
        if (clean.startsWith(VirtualKeyFormat.PREFIX) || clean.startsWith("sk-ant-")) {
            throw new IllegalArgumentException("a virtual key name must not look like a key (it starts with "
                    + (clean.startsWith("sk-ant-") ? "sk-ant-" : VirtualKeyFormat.PREFIX) + ")");
        }
        return clean;
    }

    /** Every virtual key, oldest first, with last-use times recorded so far in this process included. */
    public List<VirtualKeyInfo> list() {
        lastUsed.flushQuietly();
        List<VirtualKeyInfo> out = new ArrayList<>();
        for (VirtualKeyRecord r : store.list()) {
            out.add(new VirtualKeyInfo(r.name(), r.id(), r.prefix(), Instant.ofEpochMilli(r.createdAt()),
                    instant(r.lastUsedAt()), instant(r.revokedAt()), r.principalId(), instant(r.expiresAt()),
                    instant(r.previousValidUntil())));
        }
        return out;
    }

    /**
     * Revokes the key with this id ({@code vk_…}) or display prefix ({@code kw_} + 8 characters); a
     * full key is accepted too (for example one a scanner found leaked). Takes effect at once in this
     * process. Revoking a key already revoked keeps its first revocation time.
     *
     * @return true when a matching key exists (and is now revoked); false when none matches
     * @throws IllegalArgumentException when the argument is blank or a prefix matches several keys
     */
    public boolean revoke(String idOrPrefix) {
        List<VirtualKeyRecord> matches = find(idOrPrefix);
        if (matches.size() > 1) {
            throw new IllegalArgumentException("prefix " + idOrPrefix.strip() + " matches " + matches.size()
                    + " virtual keys; revoke by id instead (see: keywarden keys list)");
        }
        revokeAll(matches);
        return !matches.isEmpty();
    }

    /**
     * Revokes every active key named exactly {@code name}.
     *
     * @return how many keys this call revoked
     */
    public int revokeByName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("give the name of the virtual keys to revoke");
        }
        return revokeAll(store.findActiveByName(name.strip()));
    }

    private List<VirtualKeyRecord> find(String idOrPrefix) {
        if (idOrPrefix == null || idOrPrefix.isBlank()) {
            throw new IllegalArgumentException("give a virtual key id (vk_…) or prefix (kw_ and 8 more characters)");
        }
        String value = idOrPrefix.strip();
        if (VirtualKeyFormat.isWellFormed(value)) {
            return store.findByHash(HEX.formatHex(secret.hmac(value))).stream().toList();
        }
        if (value.startsWith(VirtualKeyFormat.PREFIX)) {
            return store.findByPrefix(value);
        }
        return store.findById(value).stream().toList();
    }

    private int revokeAll(List<VirtualKeyRecord> keys) {
        long now = clock.millis();
        int revoked = 0;
        for (VirtualKeyRecord key : keys) {
            if (store.revoke(key.id(), now)) {
                revoked++;
            }
            byHash.invalidate(key.keyHash());
            if (key.previousKeyHash() != null) {
                byHash.invalidate(key.previousKeyHash());
            }
        }
        return revoked;
    }

    @Override
    public AuthOutcome authenticate(String presented) {
        if (presented == null) {
            return MISSING;
        }
        String key = presented.strip();
        if (key.isEmpty()) {
            return MISSING;
        }
        if (key.startsWith("sk-ant-")) {
            return PROVIDER_KEY;
        }
        if (!VirtualKeyFormat.isWellFormed(key)) {
            return INVALID;
        }
        byte[] hash = secret.hmac(key);
        Known known = byHash.get(HEX.formatHex(hash), this::load);
        if (known == Known.UNKNOWN || !MessageDigest.isEqual(known.keyHash(), hash)) {
            return INVALID;
        }
        if (known.outcome() instanceof AuthOutcome.Authenticated authenticated) {
            long now = clock.millis();
            if (known.expiresAt() != null && now >= known.expiresAt()) {
                return AuthOutcome.unusable(expiredMessage(Instant.ofEpochMilli(known.expiresAt())));
            }
            if (known.acceptedUntil() != null && now >= known.acceptedUntil()) {
                return AuthOutcome.unusable(rotatedMessage(Instant.ofEpochMilli(known.acceptedUntil())));
            }
            lastUsed.record(authenticated.identity().credentialId(), now);
        }
        return known.outcome();
    }

    static String expiredMessage(Instant at) {
        return "this virtual key expired at " + at + "; ask the operator for a new one";
    }

    static String rotatedMessage(Instant at) {
        return "this virtual key was replaced by a rotation and its grace period ended at " + at + "; use the new key";
    }

    private Known load(String hashHex) {
        return store.findByHash(hashHex)
                .map(r -> {
                    boolean previous = !r.keyHash().equals(hashHex);
                    String matched = previous ? r.previousKeyHash() : r.keyHash();
                    AuthOutcome outcome = r.isRevoked() ? REVOKED : new AuthOutcome.Authenticated(identity(r));
                    return new Known(HEX.parseHex(matched), outcome, r.expiresAt(), previous ? r.previousValidUntil() : null);
                })
                .orElse(Known.UNKNOWN);
    }

    private ClientIdentity identity(VirtualKeyRecord r) {
        Principal p = r.principalId() == null || principals == null ? null : principals.current(r.principalId()).orElse(null);
        if (p == null) {
            return new ClientIdentity(CREDENTIAL_KIND, r.id(), r.prefix(), r.name(), r.principalId(), null, null, null);
        }
        return new ClientIdentity(CREDENTIAL_KIND, r.id(), r.prefix(), r.name(), p.id(), p.name(), p.kind().wireName(), p.tier());
    }

    /** The principals this service's keys belong to (null only for test instances without principals). */
    public PrincipalService principals() {
        return principals;
    }

    /**
     * Writes the last-use times recorded so far.
     *
     * @return how many keys were updated
     * @throws dev.keywarden.store.StoreException when the store cannot be written (the times are kept for later)
     */
    public int flushLastUsed() {
        return lastUsed.flush();
    }

    /** Stops the background flush and writes the pending last-use times. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (flusher != null) {
            flusher.shutdown();
            try {
                flusher.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lastUsed.flushQuietly();
    }

    /** No virtual key has the id, prefix or secret given. The message repeats only an id or prefix, never a key. */
    public static final class NoSuchKeyException extends IllegalArgumentException {
        NoSuchKeyException(String idOrPrefix) {
            super("no virtual key has id or prefix " + (VirtualKeyFormat.isWellFormed(idOrPrefix.strip())
                    ? VirtualKeyFormat.displayPrefix(idOrPrefix.strip()) + "..." : idOrPrefix.strip()));
        }
    }

    private static Instant instant(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis);
    }
}
