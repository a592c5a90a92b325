package dev.keywarden.vault;

import dev.keywarden.store.ProviderKeyRecord;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a stored provider key is shown by the admin API and {@code keys list --json}: identifiers,
 * fingerprints, state, times and policy. Guarantee: never the key, never its ciphertext.
 */
public final class ProviderKeyView {

    private ProviderKeyView() {
    }

    public static Map<String, Object> of(ProviderKeyStatus status) {
        Map<String, Object> out = of(status.key());
        out.put("overdue", status.overdue());
        out.put("rotation_due_at", status.dueAt() == null ? null : status.dueAt().toString());
        return out;
    }

    public static Map<String, Object> of(ProviderKeyRecord r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", r.id());
        out.put("label", r.label());
        out.put("environment", r.environment().name().toLowerCase(Locale.ROOT));
        out.put("scope", r.scope().routesText());
        out.put("fingerprint", r.displayFingerprint());
        out.put("sha256", r.sha256Fingerprint());
        out.put("state", r.state().name().toLowerCase(Locale.ROOT));
        out.put("priority", r.priority());
        out.put("created_at", Instant.ofEpochMilli(r.createdAt()).toString());
        out.put("last_used_at", r.lastUsedAt() == null ? null : Instant.ofEpochMilli(r.lastUsedAt()).toString());
        out.put("rotated_at", r.rotatedAt() == null ? null : Instant.ofEpochMilli(r.rotatedAt()).toString());
        out.put("rotation_days", r.effectiveRotationDays());
        out.put("kek_version", r.sealed().kekVersion());
        out.put("source", r.source());
        return out;
    }
}
