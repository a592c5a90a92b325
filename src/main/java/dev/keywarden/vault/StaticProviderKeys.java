package dev.keywarden.vault;

import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A single provider key from the environment or the config file, used for every route.
 *
 * <p>There is no backup: when upstream rejects the key (401) it raises one {@code provider_key.rejected}
 * alert and reports itself {@linkplain #unavailable() unavailable} (the gateway keeps forwarding with it, so
 * each call gets the gateway's 503 rather than upstream's {@code authentication_error}). A 403 concerns the
 * requested resource and changes nothing.
 *
 * <p>Recovery without a restart: the key is available again, with one INFO event {@code provider_key.recovered},
 * as soon as upstream accepts it — a call answered 2xx ({@link #acceptedByUpstream}) or a periodic re-check
 * ({@link #recheck}, a free {@code GET /v1/models} while unavailable) that upstream answers as valid.
 */
public final class StaticProviderKeys implements ProviderKeys {

    private final Optional<ProviderKey> key;
    private final SecurityEvents events;
    private final AtomicReference<String> rejected = new AtomicReference<>();

    /** Alerts go to the log only (tests, the demo). */
    public StaticProviderKeys(ProviderKey key) {
        this(key, new LoggingSecurityEvents());
    }

    /** Alerts (upstream rejected the key) go to {@code events}. */
    public StaticProviderKeys(ProviderKey key, SecurityEvents events) {
        this.key = Optional.of(key);
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public Optional<ProviderKey> select(String route) {
        return key;
    }

    @Override
    public void rejectedByUpstream(ProviderKey rejectedKey, int status) {
        if (status != 401 || !rejectedKey.id().equals(key.get().id())) {
            return;
        }
        String reason = "upstream rejected the provider key from " + rejectedKey.id() + " (401) at "
                + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + "; set a valid key and restart the gateway (readiness recovers by itself if upstream accepts the key again)";
        if (rejected.compareAndSet(null, reason)) {
            events.record(SecurityEvent.alert("provider_key.rejected", rejectedKey.id(), Map.of(
                    "fingerprint", rejectedKey.fingerprint(), "status", "401",
                    "action", "no backup key: calls are answered 503 until upstream accepts the key again or a valid key is set"
                            + " and the gateway restarted")));
        }
    }

    @Override
    public void acceptedByUpstream(ProviderKey acceptedKey) {
        if (rejected.get() != null && acceptedKey.id().equals(key.get().id())) {
            recovered("a call with it succeeded");
        }
    }

    /**
     * While the key is unavailable, asks upstream about it with {@code verifier}; a {@link KeyVerification.Valid}
     * answer makes it available again. Does nothing (no upstream call) while the key is trusted.
     *
     * @return whether the key is available after the check
     */
    public boolean recheck(UpstreamKeyVerifier verifier) {
        if (rejected.get() == null) {
            return true;
        }
        byte[] secret = key.get().secret().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (verifier.verify(secret) instanceof KeyVerification.Valid) {
                recovered("a periodic re-check upstream accepted it");
            }
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
        return rejected.get() == null;
    }

    private void recovered(String how) {
        String was = rejected.getAndSet(null);
        if (was != null) {
            events.record(SecurityEvent.of("provider_key.recovered", key.get().id(), Map.of(
                    "fingerprint", key.get().fingerprint(), "how", how,
                    "action", "upstream accepts the key again: calls are forwarded and /readyz is ready")));
        }
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.ofNullable(rejected.get());
    }

    @Override
    public String describe() {
        return "1 key from " + key.get().id() + " (" + key.get().fingerprint() + ")";
    }
}
