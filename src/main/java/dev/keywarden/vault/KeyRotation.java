package dev.keywarden.vault;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.store.DuplicateProviderKeyException;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.store.SealedColumns;
import dev.keywarden.vault.crypto.SecretCipher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Provider-key management: add, rotate without downtime, revoke (gracefully or now), activate, and
 * the list with rotation-policy status. State changes go through the keys' {@link KeyLifecycle}, so
 * they act on this process's selection and calls at once; drain waits use its {@link InFlightCalls}.
 * Made by {@link VaultProviderKeys#rotation}.
 *
 * <p>Rotation ({@link #rotate}): add the new key as pending → verify it upstream → activate it with
 * the old key's priority → drain the old key → wait for its calls in flight (bounded by the drain
 * timeout, and at least the refresh interval so other gateway processes have stopped selecting it)
 * → revoke the old key, cutting calls still running after the timeout. Every step records a
 * {@code provider_key.*} security event naming keys by id and fingerprint only.
 *
 * <p>Guarantee: if any step fails, the old key is left active and the new one is not active: revoked
 * when upstream rejected it, pending otherwise (so the same rotation can be run again, reusing it).
 * If even the roll-back fails, the {@link RotationException} says which state each key is in.
 */
public final class KeyRotation {

    private static final Pattern KEY_SHAPE = Pattern.compile("sk-ant-[A-Za-z0-9_-]{20,250}");

    private final KeyLifecycle keys;
    private final InFlightCalls calls;
    private final SecretCipher cipher;
    private final KeyEvents events;
    private final UpstreamKeyVerifier verifier;
    private final Duration drainTimeout;
    private final Duration minimumDrain;

    /**
     * @param drainTimeout longest wait for calls in flight on a draining key before it is revoked anyway
     * @param minimumDrain shortest time a key stays draining before it is revoked (normally the refresh
     *                     interval, so every gateway process sharing the store has stopped selecting it)
     */
    KeyRotation(KeyLifecycle keys, InFlightCalls calls, SecretCipher cipher, KeyEvents events,
                UpstreamKeyVerifier verifier, Duration drainTimeout, Duration minimumDrain) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.events = Objects.requireNonNull(events, "events");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        this.minimumDrain = Objects.requireNonNull(minimumDrain, "minimumDrain");
    }

    /** What a completed rotation did. */
    public record RotationResult(ProviderKeyRecord retired, ProviderKeyRecord replacement, boolean drainedCleanly,
                                 int callsCut) {
    }

    // ---------------------------------------------------------------- add

    /**
     * Stores {@code secret} (sealed, never in plaintext) as a new key and makes it active. With
     * {@code verify}, upstream is asked first: a rejected key is stored as revoked and a key that
     * cannot be verified stays pending, both with a {@link RotationException}. Adding a key that is
     * already pending in that environment picks the pending record up instead.
     *
     * @throws DuplicateProviderKeyException when the environment already holds this key (not pending)
     */
    public ProviderKeyRecord add(byte[] secret, NewProviderKey spec, boolean verify) {
        ProviderKeyRecord pending = addPending(secret, spec, null);
        if (verify) {
            try {
                verifyOrFail(pending, secret, "adding");
            } catch (RejectedKey e) {
                keys.revokeNow(pending.id());
                throw new RotationException(e.getMessage() + "; it was stored as revoked so it is never used. "
                        + "Issue a new key in the Anthropic console and add that one.", e);
            }
        }
        return keys.activate(pending.id());
    }

    private ProviderKeyRecord addPending(byte[] secret, NewProviderKey spec, String replaces) {
        checkShape(secret);
        String sha256 = ProviderKeyIds.sha256Hex(secret);
        Optional<ProviderKeyRecord> pending = keys.pending(spec.environment(), sha256);
        if (pending.isPresent()) {
            return pending.get();
        }
        String id = ProviderKeyIds.newId();
        SealedColumns sealed = SealedColumnMapper.toColumns(cipher.seal(id, secret));
        // fingerprintOf reads only the family prefix (within the first 20 characters) and the last 4
        String display = ProviderKey.fingerprintOf(new String(secret, 0, Math.min(secret.length, 20),
                java.nio.charset.StandardCharsets.US_ASCII) + lastFour(secret));
        return keys.addPending(id, spec, display, sha256, sealed, replaces);
    }

    // ---------------------------------------------------------------- rotate

    /**
     * Replaces active key {@code fromId} by {@code newSecret} without downtime (see the class
     * description). The new key takes the old key's label, environment, scope, priority and rotation
     * policy.
     *
     * @param sourceLabel where the new key came from, e.g. {@code env:NEW_ANTHROPIC_KEY}
     * @throws RotationException when a step fails (old key left active, new key pending or revoked)
     * @throws ProviderKeyStateException when {@code fromId} is unknown or not active
     */
    public RotationResult rotate(String fromId, byte[] newSecret, String sourceLabel) {
        ProviderKeyRecord old = keys.require(fromId);
        if (old.state() != ProviderKeyState.ACTIVE) {
            throw new ProviderKeyStateException("only an active key can be rotated, but provider key " + fromId
                    + " (" + old.displayFingerprint() + ") is " + old.state() + "; add the new key with keywarden keys add instead");
        }
        if (ProviderKeyIds.sameFingerprint(ProviderKeyIds.sha256Hex(newSecret), old.sha256Fingerprint())) {
            throw new RotationException("the new key is the same key as " + fromId + " (" + old.displayFingerprint()
                    + "); rotate to a newly issued key");
        }
        events.record(SecurityEvent.of("provider_key.rotation_started", fromId, KeyEvents.details(old)));
        NewProviderKey spec = new NewProviderKey(old.label(), old.environment(), old.scope(), old.priority(),
                old.rotationDays(), sourceLabel);
        ProviderKeyRecord fresh;
        try {
            fresh = addPending(newSecret, spec, fromId);
        } catch (RuntimeException e) {
            throw failed("adding the new key", old, null, e);
        }
        String step = "verifying the new key upstream";
        try {
            verifyOrFail(fresh, newSecret, "rotating " + fromId + " to");
            step = "activating the new key";
            keys.activateRotatedIn(fresh.id());
            step = "draining the old key";
            keys.drain(fromId);
            step = "waiting for calls in flight on the old key";
            boolean drained = waitForDrain(fromId);
            step = "revoking the old key";
            int left = calls.count(fromId);
            ProviderKeyRecord retired = keys.revokeNow(fromId);
            ProviderKeyRecord replacement = keys.require(fresh.id());
            Map<String, String> done = KeyEvents.details(replacement);
            done.put("retired", fromId + " " + old.displayFingerprint());
            done.put("drained_cleanly", Boolean.toString(drained));
            done.put("calls_cut", Integer.toString(drained ? 0 : left));
            events.record(SecurityEvent.of("provider_key.rotated", fresh.id(), done));
            return new RotationResult(retired, replacement, drained, drained ? 0 : left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(step + " (interrupted)", old, fresh, e);
        } catch (RuntimeException e) {
            throw failed(step, old, fresh, e);
        }
    }

    private boolean waitForDrain(String id) throws InterruptedException {
        long start = System.nanoTime();
        boolean drained = calls.awaitDrained(id, drainTimeout);
        long remaining = minimumDrain.toNanos() - (System.nanoTime() - start);
        if (remaining > 0) {
            Thread.sleep(Duration.ofNanos(remaining));
        }
        ProviderKeyRecord key = keys.require(id);
        Map<String, String> d = KeyEvents.details(key);
        d.put("in_flight", Integer.toString(calls.count(id)));
        events.record(drained
                ? SecurityEvent.of("provider_key.drained", id, d)
                : SecurityEvent.alert("provider_key.drain_timeout", id, d));
        return drained;
    }

    /** Rolls back (old active first, so there is never a moment without a key), records the failure, builds the error. */
    private RotationException failed(String step, ProviderKeyRecord old, ProviderKeyRecord fresh, Exception cause) {
        List<String> rollbackProblems = new ArrayList<>();
        boolean rejected = cause instanceof RejectedKey;
        try {
            ProviderKeyRecord oldNow = keys.require(old.id());
            if (oldNow.state() == ProviderKeyState.DRAINING) {
                keys.activate(old.id());
            }
        } catch (RuntimeException e) {
            rollbackProblems.add("the old key could not be re-activated: " + e.getMessage());
        }
        if (fresh != null) {
            try {
                ProviderKeyRecord freshNow = keys.require(fresh.id());
                if (freshNow.state() == ProviderKeyState.ACTIVE) {
                    keys.deactivate(fresh.id());
                    freshNow = keys.require(fresh.id());
                }
                if (rejected && freshNow.state() == ProviderKeyState.PENDING) {
                    keys.revokeNow(fresh.id());
                }
            } catch (RuntimeException e) {
                rollbackProblems.add("the new key could not be taken out of service: " + e.getMessage());
            }
        }
        String oldState = stateOf(old.id());
        String freshState = fresh == null ? "not stored" : stateOf(fresh.id());
        Map<String, String> d = KeyEvents.details(old);
        d.put("step", step);
        d.put("reason", String.valueOf(cause.getMessage()));
        d.put("old_state", oldState);
        if (fresh != null) {
            d.put("new_key", fresh.id() + " " + fresh.displayFingerprint());
            d.put("new_state", freshState);
        }
        events.record(SecurityEvent.alert("provider_key.rotation_failed", old.id(), d));
        StringBuilder message = new StringBuilder("rotation of provider key ").append(old.id()).append(" (")
                .append(old.displayFingerprint()).append(") failed while ").append(step).append(": ")
                .append(cause.getMessage()).append(". The old key is ").append(oldState);
        if (fresh != null) {
            message.append(" and the new key ").append(fresh.id()).append(" (").append(fresh.displayFingerprint())
                    .append(") is ").append(freshState);
        }
        message.append('.');
        if (!rollbackProblems.isEmpty()) {
            message.append(" Roll-back incomplete: ").append(String.join("; ", rollbackProblems))
                    .append(". Check with keywarden keys list.");
        } else if (rejected) {
            message.append(" Issue a new key in the Anthropic console and rotate to it.");
        } else {
            message.append(" Fix the cause and run the same rotation again (the pending key is reused).");
        }
        return new RotationException(message.toString(), cause);
    }

    private String stateOf(String id) {
        try {
            return keys.require(id).state().id();
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    // ---------------------------------------------------------------- revoke, activate, list

    /**
     * Revokes a key. With {@code now}, at once: calls in flight on it are cut. Otherwise an active key
     * drains first (bounded by the drain timeout), then is revoked.
     */
    public ProviderKeyRecord revoke(String id, boolean now) {
        return revoke(id, now, true).key();
    }

    /** Whether key {@code id} is active and no other key of its environment is. */
    public boolean isLastActive(String id) {
        return keys.isLastActive(keys.require(id));
    }

    /**
     * As {@link #revoke(String, boolean)}; without {@code force}, revoking the environment's last active
     * key is refused before anything changes ({@link LastActiveKeyException}, saying what would happen).
     */
    public RevokedKey revoke(String id, boolean now, boolean force) {
        ProviderKeyRecord key = keys.require(id);
        boolean last = keys.isLastActive(key);
        if (last && !force) {
            throw new LastActiveKeyException("provider key " + id + " (" + key.displayFingerprint() + ") is the last active"
                    + " provider key of environment " + key.environment().id() + ": revoking it makes every proxy call fail"
                    + " with 503 until another key is added. Add a backup first (keywarden keys add), or repeat with --force"
                    + " (admin API: \"force\": true) to revoke it anyway");
        }
        if (!now && key.state() == ProviderKeyState.ACTIVE) {
            keys.drain(id);
            try {
                waitForDrain(id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                // fall through: revoking is what the operator asked for
            }
        }
        return keys.revoke(id, last);
    }

    /** Makes a pending key active (e.g. one left pending because upstream could not verify it). */
    public ProviderKeyRecord activate(String id) {
        return keys.activate(id);
    }

    /** Every stored key (all environments) with its rotation status at the clock's current time. */
    public List<ProviderKeyStatus> list() {
        return keys.statuses();
    }

    /** Active keys past their rotation policy: for the start-up warning and the overdue metric. */
    public List<ProviderKeyStatus> overdue() {
        return list().stream().filter(ProviderKeyStatus::overdue).toList();
    }

    // ---------------------------------------------------------------- helpers

    private void verifyOrFail(ProviderKeyRecord pending, byte[] secret, String doing) {
        KeyVerification verdict = verifier.verify(secret);
        Map<String, String> d = KeyEvents.details(pending);
        switch (verdict) {
            case KeyVerification.Valid v -> events.record(SecurityEvent.of("provider_key.verified", pending.id(), d));
            case KeyVerification.Rejected r -> {
                d.put("status", Integer.toString(r.status()));
                d.put("error_type", r.errorType());
                events.record(SecurityEvent.alert("provider_key.verification_rejected", pending.id(), d));
                throw new RejectedKey("upstream rejected the new key " + pending.id() + " (" + pending.displayFingerprint()
                        + ") with HTTP " + r.status() + (r.errorType().isEmpty() ? "" : " " + r.errorType()));
            }
            case KeyVerification.Unverifiable u -> {
                d.put("reason", u.reason());
                events.record(SecurityEvent.of("provider_key.verification_unavailable", pending.id(), d));
                throw new RotationException("cannot verify the new key " + pending.id() + " ("
                        + pending.displayFingerprint() + ") while " + doing + " it: " + u.reason()
                        + "; it was kept as pending: retry when upstream answers, or activate it without verification "
                        + "with keywarden keys activate " + pending.id());
            }
        }
    }

    private static void checkShape(byte[] secret) {
        String s = new String(secret, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!KEY_SHAPE.matcher(s).matches()) {
            throw new IllegalArgumentException("the provider key does not look like an Anthropic API key "
                    + "(expected sk-ant- followed by 20 to 250 letters, digits, '-' or '_', " + secret.length
                    + " bytes given); check the source for extra quotes, spaces or line breaks");
        }
    }

    private static String lastFour(byte[] secret) {
        return new String(secret, Math.max(0, secret.length - 4), Math.min(4, secret.length),
                java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Upstream refused the new key: the roll-back revokes it instead of leaving it pending. */
    private static final class RejectedKey extends RuntimeException {
        RejectedKey(String message) {
            super(message);
        }
    }
}
