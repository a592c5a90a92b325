package dev.keywarden.vault;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.store.ProviderKeyStore;
import dev.keywarden.store.SealedColumns;
import dev.keywarden.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of the provider keys of one environment: adding a key as pending, the state changes
 * (activate, drain, revoke, compromised) written to the store, and keeping this process in step
 * with the store ({@link #refresh}, last-use times).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A state change is a compare-and-set in the store that the state machine allows
 *       ({@link ProviderKeyState#canMoveTo}); it is published to the selector before the method
 *       returns, records one {@code provider_key.*} event (an alert for {@code compromised}), and
 *       a revoke cuts this process's calls in flight on the key.</li>
 *   <li>{@link #refresh} publishes the store's list to the selector and cuts the calls in flight on
 *       every key that became {@code revoked} since the last refresh (another process revoked it).
 *       {@link #tick} (run every refresh interval in the background once {@linkplain #startRefreshing
 *       started}) refreshes, writes last-use times and never throws.</li>
 *   <li>Upstream 401 for a key marks it {@code compromised} (compare-and-set from active or draining)
 *       and raises one alert, even when many calls fail at once; this process stops selecting it at
 *       once, even when the store write fails. Upstream 403 never marks a key: Anthropic answers 403
 *       for a resource the key may not use, which a client can provoke on purpose; it is recorded as
 *       {@code provider_key.permission_denied} at most once a minute per key.</li>
 *   <li>Events and messages name keys by id and fingerprint only.</li>
 * </ul>
 */
final class KeyLifecycle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeyLifecycle.class);

    private final ProviderKeyStore store;
    private final KeyEnvironment environment;
    private final Clock clock;
    private final KeyEvents events;
    private final ProviderKeySelector selector;
    private final InFlightCalls calls;
    private final LastUseLog uses;
    private ScheduledExecutorService background;

    KeyLifecycle(ProviderKeyStore store, KeyEnvironment environment, Clock clock, KeyEvents events,
                 ProviderKeySelector selector, InFlightCalls calls, LastUseLog uses) {
        this.store = Objects.requireNonNull(store, "store");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.events = Objects.requireNonNull(events, "events");
        this.selector = Objects.requireNonNull(selector, "selector");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.uses = Objects.requireNonNull(uses, "uses");
    }

    // ---------------------------------------------------------------- adding

    /** The pending key of {@code environment} with this full SHA-256, if one waits (left by a failed rotation or add). */
    Optional<ProviderKeyRecord> pending(KeyEnvironment environment, String sha256) {
        return store.findByFingerprint(environment, sha256).filter(k -> k.state() == ProviderKeyState.PENDING);
    }

    /**
     * Stores a new key as pending and records {@code provider_key.added}.
     *
     * @param replaces the id of the key it is to replace in a rotation, or null
     * @throws dev.keywarden.store.DuplicateProviderKeyException when the environment already holds this key
     */
    ProviderKeyRecord addPending(String id, NewProviderKey spec, String displayFingerprint, String sha256,
                                 SealedColumns sealed, String replaces) {
        long now = clock.millis();
        ProviderKeyRecord record = new ProviderKeyRecord(id, spec.label(), spec.environment(), spec.scope(),
                displayFingerprint, sha256, ProviderKeyState.PENDING, spec.priority(), now, null, null, now,
                spec.rotationDays(), sealed, spec.source());
        store.insert(record);
        Map<String, String> details = KeyEvents.details(record);
        details.put("source", spec.source());
        details.put("priority", Integer.toString(spec.priority()));
        details.put("scope", spec.scope().routesText());
        if (replaces != null) {
            details.put("replaces", replaces);
        }
        events.record(SecurityEvent.of("provider_key.added", id, details));
        return record;
    }

    // ---------------------------------------------------------------- state changes

    ProviderKeyRecord require(String id) {
        return store.find(id).orElseThrow(() -> new ProviderKeyStateException(
                "no provider key with id " + id + "; list the keys with: keywarden keys list"));
    }

    /** Makes a pending key (or a draining one, to roll back a rotation) active. */
    ProviderKeyRecord activate(String id) {
        return transition(id, ProviderKeyState.ACTIVE, null, "provider_key.activated", false, Map.of());
    }

    /** Makes a pending key active as the replacement of another: its rotation policy counts from now. */
    ProviderKeyRecord activateRotatedIn(String id) {
        return transition(id, ProviderKeyState.ACTIVE, clock.millis(), "provider_key.activated", false,
                Map.of("rotated_in", "true"));
    }

    /** Returns an active key to pending (only used to roll back a failed rotation). */
    ProviderKeyRecord deactivate(String id) {
        return transition(id, ProviderKeyState.PENDING, null, "provider_key.deactivated", false, Map.of());
    }

    /** Moves an active key to draining: no longer selected; calls in flight on it continue. */
    ProviderKeyRecord drain(String id) {
        return transition(id, ProviderKeyState.DRAINING, null, "provider_key.draining", false,
                Map.of("in_flight", Integer.toString(calls.count(id))));
    }

    /** Revokes the key and cuts this process's calls in flight on it. */
    ProviderKeyRecord revokeNow(String id) {
        return revoke(id, false).key();
    }

    /**
     * Revokes key {@code id} now, cutting calls in flight on it in this process. When it was the
     * environment's last active key ({@code lastActive}), the event is an alert saying so.
     */
    RevokedKey revoke(String id, boolean lastActive) {
        int inFlight = calls.count(id);
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("in_flight_cut", Integer.toString(inFlight));
        if (lastActive) {
            extra.put("last_active_key", "true");
            extra.put("effect", "no active provider key is left: every proxy call fails with 503 until one is added");
        }
        ProviderKeyRecord revoked = transition(id, ProviderKeyState.REVOKED, null, "provider_key.revoked", lastActive, extra);
        calls.cut(id); // the refresh inside the transition may have cut them already: the count before is what was cut
        return new RevokedKey(revoked, inFlight, lastActive);
    }

    /** Whether {@code key} is active and no other key of its environment is. */
    boolean isLastActive(ProviderKeyRecord key) {
        return key.state() == ProviderKeyState.ACTIVE && store.list(key.environment()).stream()
                .noneMatch(k -> k.state() == ProviderKeyState.ACTIVE && !k.id().equals(key.id()));
    }

    /** Marks the key compromised (an operator's decision) with an alert. */
    ProviderKeyRecord markCompromised(String id, String reason) {
        return transition(id, ProviderKeyState.COMPROMISED, null, "provider_key.compromised", true,
                Map.of("reason", reason));
    }

    /** Upstream answered {@code status} for a call with {@code key}: 401 marks it compromised, 403 is recorded. */
    void rejectedByUpstream(ProviderKey key, int status) {
        if (status == 401) {
            compromisedByUpstream(key, status);
        } else if (status == 403) {
            events.recordThrottled("403:" + key.id(), () -> SecurityEvent.of("provider_key.permission_denied", key.id(),
                    Map.of("fingerprint", key.fingerprint(), "environment", environment.id(), "status", "403",
                            "action", "kept active: a 403 concerns the requested resource, not the key's validity")));
        }
    }

    /** Every stored key (all environments) with its rotation status at the clock's current time. */
    List<ProviderKeyStatus> statuses() {
        Instant now = clock.instant();
        return store.list().stream().map(k -> ProviderKeyStatus.of(k, now)).toList();
    }

    // ---------------------------------------------------------------- keeping in step with the store

    /** Reloads the key list from the store, publishes it, and cuts calls on keys revoked elsewhere. */
    synchronized void refresh() {
        KeySnapshot previous = selector.publish(store.list(environment));
        for (ProviderKeyRecord key : selector.keys().byId.values()) {
            ProviderKeyRecord before = previous.byId.get(key.id());
            if (key.state() == ProviderKeyState.REVOKED && before != null && before.state() != ProviderKeyState.REVOKED) {
                int cut = calls.cut(key.id());
                if (cut > 0) {
                    LOG.warn("provider key {} ({}) was revoked; cut {} call(s) in flight on it", key.id(),
                            key.displayFingerprint(), cut);
                }
            }
        }
    }

    /** Writes pending last-use times to the store; returns how many keys were written. */
    int flushLastUsed() {
        return uses.flush();
    }

    /** One background round: refresh, write last-use times, forget bookkeeping of deleted keys. Never throws. */
    void tick() {
        refreshQuietly();
        try {
            flushLastUsed();
        } catch (RuntimeException e) {
            LOG.warn("could not record when provider keys were last used (will retry): {}", e.getMessage());
        }
        KeySnapshot listed = selector.keys();
        calls.forgetIdle(listed.byId::containsKey);
    }

    /** Runs {@link #tick} every {@code interval} on a daemon thread until {@link #close}. */
    synchronized void startRefreshing(Duration interval) {
        if (background != null) {
            throw new IllegalStateException("the provider key refresh is already running");
        }
        background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keywarden-provider-keys-refresh");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        background.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the background refresh and writes pending last-use times (a failure is logged). */
    @Override
    public void close() {
        synchronized (this) {
            if (background != null) {
                background.shutdownNow();
            }
        }
        try {
            flushLastUsed();
        } catch (RuntimeException e) {
            LOG.warn("could not record when provider keys were last used: {}", e.getMessage());
        }
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
            details.put("active_keys_now", Integer.toString(selector.keys().active.size()));
        }
        events.record(alert ? SecurityEvent.alert(eventType, id, details) : SecurityEvent.of(eventType, id, details));
        return current.withState(to, now);
    }

    private void compromisedByUpstream(ProviderKey key, int status) {
        ProviderKeyRecord known = selector.keys().byId.get(key.id());
        if (known == null || !selector.distrust(key.id())) {
            return; // not one of ours, or already handled in this process
        }
        boolean won;
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
        Optional<ProviderKeyRecord> next = selector.firstTrusted();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("fingerprint", key.fingerprint());
        details.put("sha256", known.shortSha256());
        details.put("environment", environment.id());
        details.put("status", Integer.toString(status));
        details.put("reason", "upstream answered 401 authentication_error: the key is invalid, disabled or deleted");
        details.put("store", storeResult);
        details.put("next_key", next.map(k -> k.id() + " " + k.displayFingerprint()).orElse("none: no active key left"));
        events.record(SecurityEvent.alert("provider_key.compromised", key.id(), details));
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("could not reload the provider key list (will retry): {}", e.getMessage());
        }
    }
}
