package dev.keywarden.store;

import java.util.Objects;

/**
 * One row of {@code provider_keys}. Holds no plaintext: the key exists here only as
 * {@link #sealed()} (ciphertext and wrapped data key) and as fingerprints. Times are epoch
 * milliseconds; {@code lastUsedAt} and {@code rotatedAt} are null when it never happened.
 *
 * @param displayFingerprint {@code sk-ant-api03-…WXYZ}, for people
 * @param sha256Fingerprint  lowercase hex SHA-256 of the whole key, unique per environment
 * @param priority           lower is preferred: the primary has the lowest value, backups follow
 * @param rotatedAt          when this key became active as the replacement of another key
 * @param rotationDays       the rotation policy; null means the environment's default
 * @param source             where the key came from, e.g. {@code env:ANTHROPIC_API_KEY} (a label, never the value)
 */
public record ProviderKeyRecord(String id, String label, KeyEnvironment environment, KeyScope scope,
                                String displayFingerprint, String sha256Fingerprint, ProviderKeyState state,
                                int priority, long createdAt, Long lastUsedAt, Long rotatedAt, long stateChangedAt,
                                Integer rotationDays, SealedColumns sealed, String source) {

    public ProviderKeyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(displayFingerprint, "displayFingerprint");
        Objects.requireNonNull(sha256Fingerprint, "sha256Fingerprint");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(source, "source");
        if (rotationDays != null && rotationDays <= 0) {
            throw new IllegalArgumentException("rotation policy must be at least 1 day but was " + rotationDays);
        }
    }

    /** The rotation policy in days: the record's own, or the environment's default. */
    public int effectiveRotationDays() {
        return rotationDays != null ? rotationDays : environment.defaultRotationDays();
    }

    /** The first 16 hex digits of the SHA-256 fingerprint, short enough for log lines and tables. */
    public String shortSha256() {
        return sha256Fingerprint.substring(0, Math.min(16, sha256Fingerprint.length()));
    }

    /** A copy in {@code newState} since {@code at}. */
    public ProviderKeyRecord withState(ProviderKeyState newState, long at) {
        return new ProviderKeyRecord(id, label, environment, scope, displayFingerprint, sha256Fingerprint, newState,
                priority, createdAt, lastUsedAt, rotatedAt, at, rotationDays, sealed, source);
    }

    @Override
    public String toString() {
        return "ProviderKeyRecord[" + id + " " + displayFingerprint + " " + environment + " " + state
                + " priority=" + priority + " scope=" + scope.routesText() + "]";
    }
}
