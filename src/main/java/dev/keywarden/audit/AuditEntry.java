package dev.keywarden.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One fact for the audit trail before it is chained: a proxied call ({@code kind = "call"}) or a
 * security event ({@code kind = "event"}). Fields are identifiers, counts and decisions only —
 * callers never put a secret or request content here. Field order does not matter: the trail
 * stores them sorted by name so their encoding is canonical.
 *
 * <p>Guarantee: every string value in the entry (at any depth of maps and lists) has passed
 * {@link AuditText#clean}, so client-supplied text that looks like a credential — a key sent as the
 * model, in a path, a header or a token's scopes — is masked before it can enter the hash chain.
 */
public record AuditEntry(String kind, Instant at, Map<String, Object> fields) {

    public static final String CALL = "call";
    public static final String EVENT = "event";

    public AuditEntry {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        TreeMap<String, Object> sorted = new TreeMap<>();
        fields.forEach((k, v) -> {
            if (v != null) {
                sorted.put(k, AuditText.clean(v));
            }
        });
        fields = java.util.Collections.unmodifiableSortedMap(sorted);
    }

    /** A security event as an audit entry (type, alert flag, subject and details). */
    public static AuditEntry of(SecurityEvent e) {
        Map<String, Object> f = new TreeMap<>();
        f.put("type", e.type());
        f.put("alert", e.alert());
        f.put("subject", e.subject());
        f.put("details", new TreeMap<>(e.details()));
        return new AuditEntry(EVENT, e.at(), f);
    }
}
