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
 * alert and reports itself {@linkplain #unavailable() unavailable} until the process is restarted with a
 * valid key (the gateway keeps forwarding with it, so each call gets the gateway's 503 rather than
 * upstream's {@code authentication_error}). A 403 concerns the requested resource and changes nothing.
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
                + "; the operator must set a valid key and restart the gateway";
        if (rejected.compareAndSet(null, reason)) {
            events.record(SecurityEvent.alert("provider_key.rejected", rejectedKey.id(), Map.of(
                    "fingerprint", rejectedKey.fingerprint(), "status", "401",
                    "action", "no backup key: calls are answered 503 until a valid key is set and the gateway restarted")));
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
