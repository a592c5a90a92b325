package dev.keywarden.vault;

import dev.keywarden.store.ProviderKeyRecord;
import java.time.Duration;
import java.time.Instant;

/**
 * A stored key as {@code keys list} shows it: its record (fingerprints only, never the key), whether
 * it is overdue for rotation ({@link RotationPolicy}) and when it is or was due.
 */
public record ProviderKeyStatus(ProviderKeyRecord key, boolean overdue, Instant dueAt) {

    static ProviderKeyStatus of(ProviderKeyRecord key, Instant now) {
        return new ProviderKeyStatus(key, RotationPolicy.overdue(key, now), RotationPolicy.dueAt(key));
    }

    /** One start-up warning line for an overdue key, naming it by id and fingerprint and saying what to do. */
    public String overdueWarning(Instant now) {
        long daysLate = Math.max(0, Duration.between(dueAt, now).toDays());
        return "provider key " + key.id() + " (" + key.displayFingerprint() + ", " + key.environment()
                + ") is overdue for rotation by " + daysLate + " day(s) (policy " + key.effectiveRotationDays()
                + " days); rotate it with: keywarden keys rotate --from " + key.id();
    }
}
