package dev.keywarden.vault;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyStore;
import dev.keywarden.vault.crypto.SecretCipher;
import dev.keywarden.vault.crypto.VaultSealedException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The provider keys of one environment, from the encrypted store: which key serves a call, what
 * happens when upstream rejects one, and the state changes (activate, drain, revoke) that must take
 * effect on calls at once. It composes three parts, each with its own guarantees:
 * {@link ProviderKeySelector} (which key serves a call; decrypted keys in memory),
 * {@link InFlightCalls} (calls per key; draining waits, revoking cuts) and {@link KeyLifecycle}
 * (state changes, refresh from the store, last-use times). {@link #rotation} hands
 * {@link KeyRotation} the parts it works with.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #select} returns the first {@code active} key of the configured environment whose
 *       scope allows the route, by priority (lowest first), then age (oldest first). It never returns
 *       a pending, draining, revoked or compromised key as far as this process knows.</li>
 *   <li>Keys are decrypted once and kept in memory for {@code cacheTtl}; no per-request decryption.
 *       After opening, the key's SHA-256 must match the record's fingerprint, else it is not used.</li>
 *   <li>A state change made through this object takes effect on the next {@code select}. A change
 *       made by another process on the same database (CLI, another gateway) is picked up within
 *       {@code refreshInterval} (default 2 s), including cutting calls in flight on a key that
 *       became {@code revoked}.</li>
 *   <li>While the cipher reports the vault sealed, {@code select} throws {@link VaultSealedException}
 *       (the gateway answers 503), even for keys still in the cache. A record that fails to open for any
 *       other reason (tampered, moved) raises a {@code provider_key.unreadable} alert and the next key
 *       is tried; if none opens, the first failure is thrown (the gateway answers 503).</li>
 *   <li>Upstream 401 for a key: the key is marked {@code compromised} (compare-and-set from active or
 *       draining), an alert {@code provider_key.compromised} is raised once, and {@code select} moves
 *       to the next key at once, even when the database write fails. Upstream 403 does <em>not</em>
 *       mark the key: Anthropic answers 403 {@code permission_error} for a resource the key may not
 *       use (another workspace's batch, a model the organisation cannot use), which a client can
 *       provoke on purpose, so treating it as compromise would let any client knock out every
 *       provider key. A 403 is recorded as {@code provider_key.permission_denied} (at most once a
 *       minute per key); an invalid, disabled or deleted key gets 401 {@code authentication_error}.</li>
 *   <li>Nothing here puts a key into a log line, event, exception message or {@code toString}:
 *       keys are named by id and fingerprint.</li>
 * </ul>
 */
public final class VaultProviderKeys implements ProviderKeys, AutoCloseable {

    /** How often the key list is reloaded from the store when not configured otherwise. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(2);

    private final KeyEnvironment environment;
    private final Duration refreshInterval;
    private final SecretCipher cipher;
    private final KeyEvents events;
    private final ProviderKeySelector selector;
    private final InFlightCalls calls;
    private final KeyLifecycle lifecycle;

    private VaultProviderKeys(Builder b) {
        this.environment = b.environment;
        this.refreshInterval = b.refreshInterval;
        this.cipher = b.cipher;
        this.events = new KeyEvents(b.events, b.clock);
        LastUseLog uses = new LastUseLog(b.clock, b.store::updateLastUsed);
        this.selector = new ProviderKeySelector(b.cipher, b.environment, events, uses, b.cacheTtl, Ticker.systemTicker());
        this.calls = new InFlightCalls(id -> selector.keys().revoked(id));
        this.lifecycle = new KeyLifecycle(b.store, b.environment, b.clock, events, selector, calls, uses);
        lifecycle.refresh();
        if (b.background) {
            lifecycle.startRefreshing(refreshInterval);
        }
    }

    /** A builder over {@code store} and {@code cipher}; set at least the environment. */
    public static Builder builder(ProviderKeyStore store, SecretCipher cipher) {
        return new Builder(store, cipher);
    }

    // ---------------------------------------------------------------- ProviderKeys (hot path)

    @Override
    public Optional<ProviderKey> select(String route) {
        return selector.select(route);
    }

    @Override
    public void rejectedByUpstream(ProviderKey key, int status) {
        lifecycle.rejectedByUpstream(key, status);
    }

    @Override
    public InFlight track(ProviderKey key, Runnable abort) {
        return calls.track(key.id(), abort);
    }

    /** Whether the active keys of this environment can be opened now (counts only; see {@link KeyHealth}). */
    public KeyHealth health() {
        return selector.health();
    }

    @Override
    public Optional<String> unavailable() {
        if (cipher.sealed()) {
            return Optional.of("the key vault is sealed; an operator must unseal it (keywarden vault unseal)");
        }
        return selector.unusable();
    }

    @Override
    public String describe() {
        return selector.describe();
    }

    // ---------------------------------------------------------------- life-cycle operations

    /** The environment whose keys this object serves. */
    public KeyEnvironment environment() {
        return environment;
    }

    /** How often the key list is reloaded from the store (other processes' changes show up within it). */
    public Duration refreshInterval() {
        return refreshInterval;
    }

    /** Makes a pending key (or a draining one, to roll back a rotation) active; it can be selected at once. */
    public ProviderKeyRecord activate(String id) {
        return lifecycle.activate(id);
    }

    /**
     * Moves an active key to draining: it is no longer selected for new calls; calls in flight on
     * it continue. Wait for them with {@link #awaitDrained}.
     */
    public ProviderKeyRecord drain(String id) {
        return lifecycle.drain(id);
    }

    /**
     * Waits until no call of this process is in flight on the key.
     *
     * @return true when it reached zero; false when {@code timeout} passed first
     */
    public boolean awaitDrained(String id, Duration timeout) throws InterruptedException {
        return calls.awaitDrained(id, timeout);
    }

    /** Calls of this process currently in flight on the key. */
    public int inFlight(String id) {
        return calls.count(id);
    }

    /**
     * Revokes the key with immediate effect: it is never selected again, its decrypted copy is
     * dropped from memory, and every call in flight on it (in this process) is cut. Other gateway
     * processes cut theirs within the refresh interval.
     */
    public ProviderKeyRecord revokeNow(String id) {
        return lifecycle.revokeNow(id);
    }

    /** Marks the key compromised (an operator's decision): never selected again, an alert is raised. */
    public ProviderKeyRecord markCompromised(String id, String reason) {
        return lifecycle.markCompromised(id, reason);
    }

    /** Reloads the key list from the store now (normally done every refresh interval). */
    public void refresh() {
        lifecycle.refresh();
    }

    /** Writes pending last-use times to the store; returns how many keys were written. */
    public int flushLastUsed() {
        return lifecycle.flushLastUsed();
    }

    /**
     * Rotation, add and revoke over these keys: a 5-minute drain timeout and a minimum drain of
     * twice the refresh interval (so every gateway process sharing the store has stopped selecting
     * a draining key before it is revoked).
     */
    public KeyRotation rotation(UpstreamKeyVerifier verifier) {
        return rotation(verifier, Duration.ofMinutes(5), refreshInterval.multipliedBy(2));
    }

    /**
     * @param drainTimeout longest wait for calls in flight on a draining key before it is revoked anyway
     * @param minimumDrain shortest time a key stays draining before it is revoked
     */
    public KeyRotation rotation(UpstreamKeyVerifier verifier, Duration drainTimeout, Duration minimumDrain) {
        return new KeyRotation(lifecycle, calls, cipher, events, verifier, drainTimeout, minimumDrain);
    }

    /** Stops the background refresh, writes pending last-use times and drops every decrypted key. */
    @Override
    public void close() {
        lifecycle.close();
        selector.forgetDecrypted();
    }

    @Override
    public String toString() {
        return "VaultProviderKeys[" + environment.id() + ", " + selector.keys().active.size() + " active]";
    }

    /** Settings of a {@link VaultProviderKeys}; defaults: dev, 5-minute cache, 2-second refresh, events to the log. */
    public static final class Builder {
        private final ProviderKeyStore store;
        private final SecretCipher cipher;
        private KeyEnvironment environment = KeyEnvironment.DEV;
        private Duration cacheTtl = Duration.ofMinutes(5);
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
        private boolean background = true;
        private SecurityEvents events = new LoggingSecurityEvents();
        private Clock clock = Clock.systemUTC();

        private Builder(ProviderKeyStore store, SecretCipher cipher) {
            this.store = Objects.requireNonNull(store, "store");
            this.cipher = Objects.requireNonNull(cipher, "cipher");
        }

        /** Which keys to serve ({@code vault.key_environment}). */
        public Builder environment(KeyEnvironment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** How long a decrypted key stays in memory ({@code vault.cache_ttl}); must be positive. */
        public Builder cacheTtl(Duration cacheTtl) {
            if (cacheTtl.isNegative() || cacheTtl.isZero()) {
                throw new IllegalArgumentException("vault cache TTL must be positive but was " + cacheTtl);
            }
            this.cacheTtl = cacheTtl;
            return this;
        }

        /** How often the key list is reloaded and last-use times written; must be positive. */
        public Builder refreshInterval(Duration refreshInterval) {
            if (refreshInterval.isNegative() || refreshInterval.isZero()) {
                throw new IllegalArgumentException("provider key refresh interval must be positive but was " + refreshInterval);
            }
            this.refreshInterval = refreshInterval;
            return this;
        }

        /** Without a background thread (tests, one-shot CLI runs): call {@link #refresh()} yourself. */
        public Builder noBackgroundRefresh() {
            this.background = false;
            return this;
        }

        public Builder events(SecurityEvents events) {
            this.events = Objects.requireNonNull(events, "events");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Loads the key list and starts the background refresh.
         *
         * @throws dev.keywarden.store.StoreException when the key list cannot be read
         */
        public VaultProviderKeys start() {
            return new VaultProviderKeys(this);
        }
    }
}
