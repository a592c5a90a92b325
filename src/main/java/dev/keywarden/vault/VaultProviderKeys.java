package dev.keywarden.vault;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.store.ProviderKeyStore;
import dev.keywarden.store.StoreException;
import dev.keywarden.vault.crypto.SecretCipher;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSealedException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider keys of one environment, from the encrypted store: which key serves a call, what
 * happens when upstream rejects one, and the state changes (activate, drain, revoke) that must take
 * effect on calls at once.
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

    private static final Logger LOG = LoggerFactory.getLogger(VaultProviderKeys.class);

    /** How often the key list is reloaded from the store when not configured otherwise. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(2);
    private static final long LAST_USED_THROTTLE_MILLIS = 1_000;
    private static final long EVENT_THROTTLE_MILLIS = 60_000;
    private static final long DRAIN_POLL_MILLIS = 10;

    private final ProviderKeyStore store;
    private final SecretCipher cipher;
    private final KeyEnvironment environment;
    private final SecurityEvents events;
    private final Clock clock;
    private final Duration refreshInterval;
    private final Cache<String, ProviderKey> opened;
    private final ConcurrentHashMap<String, Set<Call>> calls = new ConcurrentHashMap<>();
    /** Keys rejected by upstream in this process: never selected again, even if the store write failed. */
    private final Set<String> distrusted = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Long> lastNoted = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> lastUsedPending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> throttledEvents = new ConcurrentHashMap<>();
    private final ScheduledExecutorService background;
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    private VaultProviderKeys(Builder b) {
        this.store = b.store;
        this.cipher = b.cipher;
        this.environment = b.environment;
        this.events = b.events;
        this.clock = b.clock;
        this.refreshInterval = b.refreshInterval;
        this.opened = Caffeine.newBuilder().expireAfterWrite(b.cacheTtl).maximumSize(1_000).build();
        refresh();
        if (b.background) {
            background = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "keywarden-provider-keys-refresh");
                t.setDaemon(true);
                return t;
            });
            long millis = refreshInterval.toMillis();
            background.scheduleWithFixedDelay(this::backgroundTick, millis, millis, TimeUnit.MILLISECONDS);
        } else {
            background = null;
        }
    }

    /** A builder over {@code store} and {@code cipher}; set at least the environment. */
    public static Builder builder(ProviderKeyStore store, SecretCipher cipher) {
        return new Builder(store, cipher);
    }

    // ---------------------------------------------------------------- ProviderKeys (hot path)

    @Override
    public Optional<ProviderKey> select(String route) {
        if (cipher.sealed()) {
            throw new VaultSealedException("the key vault is sealed; unseal it with keywarden vault unseal");
        }
        VaultException firstFailure = null;
        for (ProviderKeyRecord key : snapshot.active) {
            if (!key.scope().allowsRoute(route) || distrusted.contains(key.id())) {
                continue;
            }
            ProviderKey open;
            try {
                open = open(key);
            } catch (VaultSealedException sealed) {
                throw sealed;
            } catch (VaultException unreadable) {
                unreadable(key, unreadable);
                if (firstFailure == null) {
                    firstFailure = unreadable;
                }
                continue;
            }
            noteUse(key.id());
            return Optional.of(open);
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return Optional.empty();
    }

    @Override
    public void rejectedByUpstream(ProviderKey key, int status) {
        if (status == 401) {
            compromisedByUpstream(key, status);
        } else if (status == 403) {
            if (throttle("403:" + key.id())) {
                record(SecurityEvent.of("provider_key.permission_denied", key.id(), Map.of(
                        "fingerprint", key.fingerprint(), "environment", environment.id(), "status", "403",
                        "action", "kept active: a 403 concerns the requested resource, not the key's validity")));
            }
        }
    }

    @Override
    public InFlight track(ProviderKey key, Runnable abort) {
        Set<Call> set = calls.computeIfAbsent(key.id(), id -> ConcurrentHashMap.newKeySet());
        Call call = new Call(set, abort);
        set.add(call);
        // register first, then check: a revoke that swept before we registered has already published its state
        if (snapshot.revoked(key.id())) {
            call.abort();
        }
        return call;
    }

    @Override
    public String describe() {
        Snapshot s = snapshot;
        if (s.active.isEmpty()) {
            return "vault: no active provider key for environment " + environment.id();
        }
        StringBuilder sb = new StringBuilder("vault: ").append(s.active.size()).append(" active provider key(s) for ")
                .append(environment.id()).append(':');
        for (ProviderKeyRecord k : s.active) {
            sb.append(' ').append(k.id()).append(" (").append(k.displayFingerprint()).append(", priority ")
                    .append(k.priority()).append(", scope ").append(k.scope().routesText()).append(')');
        }
        return sb.toString();
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
        return activate(id, null);
    }

    ProviderKeyRecord activate(String id, Long rotatedAt) {
        Map<String, String> details = rotatedAt == null ? Map.of() : Map.of("rotated_in", "true");
        return transition(id, ProviderKeyState.ACTIVE, rotatedAt, "provider_key.activated", false, details);
    }

    /** Returns an active key to pending (only used to roll back a failed rotation). */
    ProviderKeyRecord deactivate(String id) {
        return transition(id, ProviderKeyState.PENDING, null, "provider_key.deactivated", false, Map.of());
    }

    /**
     * Moves an active key to draining: it is no longer selected for new calls; calls in flight on
     * it continue. Wait for them with {@link #awaitDrained}.
     */
    public ProviderKeyRecord drain(String id) {
        return transition(id, ProviderKeyState.DRAINING, null, "provider_key.draining", false,
                Map.of("in_flight", Integer.toString(inFlight(id))));
    }

    /**
     * Waits until no call of this process is in flight on the key.
     *
     * @return true when it reached zero; false when {@code timeout} passed first
     */
    public boolean awaitDrained(String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight(id) > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(DRAIN_POLL_MILLIS);
        }
        return true;
    }

    /** Calls of this process currently in flight on the key. */
    public int inFlight(String id) {
        Set<Call> set = calls.get(id);
        return set == null ? 0 : set.size();
    }

    /**
     * Revokes the key with immediate effect: it is never selected again, its decrypted copy is
     * dropped from memory, and every call in flight on it (in this process) is cut. Other gateway
     * processes cut theirs within the refresh interval.
     */
    public ProviderKeyRecord revokeNow(String id) {
        int inFlight = inFlight(id);
        ProviderKeyRecord revoked = transition(id, ProviderKeyState.REVOKED, null, "provider_key.revoked", false,
                Map.of("in_flight_cut", Integer.toString(inFlight)));
        cut(id);
        return revoked;
    }

    /** Marks the key compromised (an operator's decision): never selected again, an alert is raised. */
    public ProviderKeyRecord markCompromised(String id, String reason) {
        return transition(id, ProviderKeyState.COMPROMISED, null, "provider_key.compromised", true,
                Map.of("reason", reason));
    }

    /** Reloads the key list from the store now (normally done every refresh interval). */
    public synchronized void refresh() {
        Snapshot previous = snapshot;
        Snapshot next = new Snapshot(store.list(environment));
        snapshot = next;
        for (ProviderKeyRecord key : next.byId.values()) {
            if (key.state() != ProviderKeyState.ACTIVE) {
                opened.invalidate(key.id());
            }
            ProviderKeyRecord before = previous.byId.get(key.id());
            if (key.state() == ProviderKeyState.REVOKED && before != null && before.state() != ProviderKeyState.REVOKED) {
                int cut = cut(key.id());
                if (cut > 0) {
                    LOG.warn("provider key {} ({}) was revoked; cut {} call(s) in flight on it", key.id(),
                            key.displayFingerprint(), cut);
                }
            }
            if (key.state().isFinal()) {
                distrusted.remove(key.id());
            }
        }
        for (String cached : List.copyOf(opened.asMap().keySet())) {
            if (!next.activeIds.contains(cached)) {
                opened.invalidate(cached);
            }
        }
    }

    /** Writes pending last-use times to the store; returns how many keys were written. */
    public synchronized int flushLastUsed() {
        if (lastUsedPending.isEmpty()) {
            return 0;
        }
        Map<String, Long> batch = new HashMap<>(lastUsedPending);
        batch.forEach((id, time) -> lastUsedPending.remove(id, time));
        try {
            store.updateLastUsed(batch);
            return batch.size();
        } catch (RuntimeException e) {
            batch.forEach((id, time) -> lastUsedPending.merge(id, time, Math::max));
            throw e;
        }
    }

    /** Stops the background refresh, writes pending last-use times and drops every decrypted key. */
    @Override
    public void close() {
        if (background != null) {
            background.shutdownNow();
        }
        try {
            flushLastUsed();
        } catch (RuntimeException e) {
            LOG.warn("could not record when provider keys were last used: {}", e.getMessage());
        }
        opened.invalidateAll();
    }

    @Override
    public String toString() {
        return "VaultProviderKeys[" + environment.id() + ", " + snapshot.active.size() + " active]";
    }

    // ---------------------------------------------------------------- package-private for KeyRotation

    ProviderKeyStore store() {
        return store;
    }

    SecretCipher cipher() {
        return cipher;
    }

    SecurityEvents events() {
        return events;
    }

    Clock clock() {
        return clock;
    }

    /** Records an event; a failing sink is logged, never propagated (the sink contract says it must not throw). */
    void record(SecurityEvent event) {
        try {
            events.record(event);
        } catch (RuntimeException e) {
            LOG.error("security event sink failed for {}: {}", event.type(), e.toString());
        }
    }

    ProviderKeyRecord require(String id) {
        return store.find(id).orElseThrow(() -> new ProviderKeyStateException(
                "no provider key with id " + id + "; list the keys with: keywarden keys list"));
    }

    // ---------------------------------------------------------------- internals

    private ProviderKeyRecord transition(String id, ProviderKeyState to, Long rotatedAt, String eventType,
                                         boolean alert, Map<String, String> extra) {
        ProviderKeyRecord current = require(id);
        if (current.state() == to) {
            throw new ProviderKeyStateException("provider key " + id + " (" + current.displayFingerprint()
                    + ") is already " + to);
        }
        if (!current.state().canMoveTo(to)) {
            throw new ProviderKeyStateException("provider key " + id + " (" + current.displayFingerprint() + ") is "
                    + current.state() + " and cannot become " + to
                    + (current.state().isFinal() ? "; a revoked or compromised key is never used again, add a new key instead" : ""));
        }
        long now = clock.millis();
        if (!store.updateState(id, current.state(), to, now, rotatedAt)) {
            ProviderKeyRecord raced = store.find(id).orElse(current);
            throw new ProviderKeyStateException("provider key " + id + " (" + current.displayFingerprint()
                    + ") changed to " + raced.state() + " while it was being made " + to + "; check it with keywarden keys list and retry");
        }
        refreshQuietly();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("fingerprint", current.displayFingerprint());
        details.put("sha256", current.shortSha256());
        details.put("environment", current.environment().id());
        details.put("from", current.state().id());
        details.put("to", to.id());
        details.putAll(extra);
        if (current.environment() == environment) {
            details.put("active_keys_now", Integer.toString(snapshot.active.size()));
        }
        record(alert ? SecurityEvent.alert(eventType, id, details) : SecurityEvent.of(eventType, id, details));
        return current.withState(to, now);
    }

    private void compromisedByUpstream(ProviderKey key, int status) {
        ProviderKeyRecord known = snapshot.byId.get(key.id());
        if (known == null || !distrusted.add(key.id())) {
            return; // not one of ours, or already handled in this process
        }
        opened.invalidate(key.id());
        boolean won = false;
        String storeResult = "marked compromised";
        try {
            won = store.updateState(key.id(), ProviderKeyState.ACTIVE, ProviderKeyState.COMPROMISED, clock.millis())
                    || store.updateState(key.id(), ProviderKeyState.DRAINING, ProviderKeyState.COMPROMISED, clock.millis());
        } catch (StoreException e) {
            won = true; // we could not tell; alert rather than stay silent
            storeResult = "NOT recorded in the store (" + e.getMessage() + "); this process stopped using it";
            LOG.error("provider key {} ({}) was rejected by upstream but could not be marked compromised: {}",
                    key.id(), key.fingerprint(), e.getMessage());
        }
        refreshQuietly();
        if (!won) {
            return; // another process marked it first and raised the alert
        }
        Optional<ProviderKeyRecord> next = snapshot.active.stream()
                .filter(k -> !distrusted.contains(k.id())).findFirst();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("fingerprint", key.fingerprint());
        details.put("sha256", known.shortSha256());
        details.put("environment", environment.id());
        details.put("status", Integer.toString(status));
        details.put("reason", "upstream answered 401 authentication_error: the key is invalid, disabled or deleted");
        details.put("store", storeResult);
        details.put("next_key", next.map(k -> k.id() + " " + k.displayFingerprint()).orElse("none: no active key left"));
        record(SecurityEvent.alert("provider_key.compromised", key.id(), details));
    }

    private ProviderKey open(ProviderKeyRecord key) {
        ProviderKey cached = opened.getIfPresent(key.id());
        if (cached != null) {
            return cached;
        }
        return opened.get(key.id(), id -> decrypt(key));
    }

    private ProviderKey decrypt(ProviderKeyRecord key) {
        byte[] plain = cipher.open(key.id(), SealedColumnMapper.toSecret(key.sealed()));
        try {
            if (!ProviderKeyIds.sameFingerprint(ProviderKeyIds.sha256Hex(plain), key.sha256Fingerprint())) {
                throw new VaultException("provider key " + key.id() + " opened to a key whose SHA-256 does not match "
                        + "its record's fingerprint; the record was tampered with: revoke it and add the key again");
            }
            return new ProviderKey(key.id(), new String(plain, StandardCharsets.UTF_8));
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private void unreadable(ProviderKeyRecord key, VaultException e) {
        if (throttle("unreadable:" + key.id())) {
            record(SecurityEvent.alert("provider_key.unreadable", key.id(), Map.of(
                    "fingerprint", key.displayFingerprint(), "environment", environment.id(),
                    "reason", String.valueOf(e.getMessage()), "action", "skipped; the next active key is used")));
        }
    }

    private void noteUse(String id) {
        long now = clock.millis();
        Long last = lastNoted.get(id);
        if (last == null || now - last >= LAST_USED_THROTTLE_MILLIS) {
            lastNoted.put(id, now);
            lastUsedPending.merge(id, now, Math::max);
        }
    }

    private boolean throttle(String what) {
        long now = clock.millis();
        Long last = throttledEvents.get(what);
        if (last != null && now - last < EVENT_THROTTLE_MILLIS) {
            return false;
        }
        throttledEvents.put(what, now);
        return true;
    }

    private int cut(String id) {
        Set<Call> set = calls.get(id);
        if (set == null) {
            return 0;
        }
        int n = 0;
        for (Call call : set) {
            if (call.abort()) {
                n++;
            }
        }
        return n;
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("could not reload the provider key list (will retry): {}", e.getMessage());
        }
    }

    private void backgroundTick() {
        refreshQuietly();
        try {
            flushLastUsed();
        } catch (RuntimeException e) {
            LOG.warn("could not record when provider keys were last used (will retry): {}", e.getMessage());
        }
        calls.entrySet().removeIf(e -> e.getValue().isEmpty() && !snapshot.byId.containsKey(e.getKey()));
    }

    /** The key list as last loaded: immutable, swapped atomically. */
    private static final class Snapshot {
        static final Snapshot EMPTY = new Snapshot(List.of());

        final List<ProviderKeyRecord> active;
        final Set<String> activeIds;
        final Map<String, ProviderKeyRecord> byId;

        Snapshot(List<ProviderKeyRecord> ordered) {
            List<ProviderKeyRecord> a = new ArrayList<>();
            Map<String, ProviderKeyRecord> m = new HashMap<>();
            for (ProviderKeyRecord k : ordered) {
                m.put(k.id(), k);
                if (k.state() == ProviderKeyState.ACTIVE) {
                    a.add(k);
                }
            }
            this.active = List.copyOf(a);
            this.activeIds = Set.copyOf(a.stream().map(ProviderKeyRecord::id).toList());
            this.byId = Map.copyOf(m);
        }

        boolean revoked(String id) {
            ProviderKeyRecord k = byId.get(id);
            return k != null && k.state() == ProviderKeyState.REVOKED;
        }
    }

    /** One tracked call; closing it unregisters it, aborting it runs the gateway's abort once. */
    private static final class Call implements InFlight {
        private final Set<Call> owner;
        private final Runnable abort;
        private final AtomicBoolean aborted = new AtomicBoolean();

        Call(Set<Call> owner, Runnable abort) {
            this.owner = owner;
            this.abort = abort;
        }

        boolean abort() {
            if (!aborted.compareAndSet(false, true)) {
                return false;
            }
            try {
                abort.run();
            } catch (RuntimeException e) {
                LOG.warn("aborting a call in flight on a revoked provider key failed: {}", e.toString());
            }
            return true;
        }

        @Override
        public void close() {
            owner.remove(this);
        }
    }

    /** Settings of a {@link VaultProviderKeys}; defaults: dev, 5-minute cache, 2-second refresh, events to the log. */
    public static final class Builder {
        private final ProviderKeyStore store;
        private final SecretCipher cipher;
        private KeyEnvironment environment = KeyEnvironment.DEV;
        private Duration cacheTtl = Duration.ofMinutes(5);
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
        private boolean background = true;
        private SecurityEvents events = new dev.keywarden.audit.LoggingSecurityEvents();
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
