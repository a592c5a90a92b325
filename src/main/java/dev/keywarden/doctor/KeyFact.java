package dev.keywarden.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.vault.RotationPolicy;
import java.time.Instant;
import java.util.Locale;

/**
 * What the doctor knows about one stored provider key: identifiers, fingerprints, state and rotation
 * due date, read from the local store or from the admin API's {@code /admin/v1/provider-keys}.
 * Holds no key material.
 *
 * @param environment  dev, staging or prod
 * @param fingerprint  display fingerprint, e.g. {@code sk-ant-api03-…WXYZ}
 * @param sha256       hex SHA-256 of the whole key (identifies the same key across environments)
 * @param state        pending, active, draining, revoked or compromised
 * @param rotationDays the effective rotation policy
 * @param dueAt        when the key is (or was) due for rotation
 */
public record KeyFact(String id, String environment, String fingerprint, String sha256, String state, int rotationDays,
                      Instant dueAt) {

    public static KeyFact of(ProviderKeyRecord r) {
        return new KeyFact(r.id(), r.environment().id(), r.displayFingerprint(), r.sha256Fingerprint(), r.state().id(),
                r.effectiveRotationDays(), RotationPolicy.dueAt(r));
    }

    /** From one element of the admin API's provider-key list ({@code ProviderKeyView}). */
    public static KeyFact ofAdminJson(JsonNode k) {
        String due = k.path("rotation_due_at").asText("");
        return new KeyFact(k.path("id").asText(), k.path("environment").asText().toLowerCase(Locale.ROOT),
                k.path("fingerprint").asText(), k.path("sha256").asText(), k.path("state").asText().toLowerCase(Locale.ROOT),
                k.path("rotation_days").asInt(0), due.isBlank() ? null : Instant.parse(due));
    }

    public boolean active() {
        return state.equals(ProviderKeyState.ACTIVE.id());
    }

    /** Whether the key can still be used (not revoked or compromised). */
    public boolean usable() {
        return !state.equals(ProviderKeyState.REVOKED.id()) && !state.equals(ProviderKeyState.COMPROMISED.id());
    }

    /** Same rule as {@link RotationPolicy#overdue}: active and past its due date. */
    public boolean overdueAt(Instant now) {
        return active() && dueAt != null && now.isAfter(dueAt);
    }

    /** {@code pk_... (sk-ant-api03-…WXYZ, prod)}. */
    public String describe() {
        return id + " (" + fingerprint + ", " + environment + ")";
    }
}
