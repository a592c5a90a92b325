package dev.keywarden.vault;

import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import java.time.Duration;
import java.time.Instant;

/**
 * When a provider key is due for rotation: {@code rotation_days} (or the environment default:
 * dev 90, staging 60, prod 30) after it came into service, which is {@code rotated_at} when it
 * replaced another key and {@code created_at} otherwise. Only an active key can be overdue: pending
 * keys are not in service and draining, revoked or compromised ones are already on their way out.
 */
public final class RotationPolicy {

    private RotationPolicy() {
    }

    /** The instant the key becomes overdue. */
    public static Instant dueAt(ProviderKeyRecord key) {
        long since = key.rotatedAt() != null ? key.rotatedAt() : key.createdAt();
        return Instant.ofEpochMilli(since).plus(Duration.ofDays(key.effectiveRotationDays()));
    }

    /** True when {@code key} is active and {@code now} is past its due date. */
    public static boolean overdue(ProviderKeyRecord key, Instant now) {
        return key.state() == ProviderKeyState.ACTIVE && now.isAfter(dueAt(key));
    }
}
