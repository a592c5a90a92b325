package dev.keywarden.audit.anomaly;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One anomaly a detector found. Holds identifiers and counts only (principal names, credential ids,
 * provider-key fingerprints, client addresses) — never a secret, since it is logged, stored in the
 * audit trail and sent to the webhook.
 *
 * @param detector     short detector name, e.g. {@code rate_spike}; the audit event type is {@code anomaly.<detector>}
 * @param subject      what is anomalous, e.g. {@code principal:alice}, {@code provider_key:<fingerprint>},
 *                     {@code client_address:203.0.113.7}
 * @param at           time of the record that triggered the alert
 * @param details      the measurements behind the alert (sorted by name)
 * @param credentialId the virtual key involved, or {@code null} when the alert is not about one credential
 */
public record Alert(String detector, String subject, Instant at, Map<String, String> details, String credentialId) {

    public Alert {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(at, "at");
        details = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(details));
    }

    /** The audit / webhook event type: {@code anomaly.<detector>}. */
    public String type() {
        return AnomalyMonitor.EVENT_PREFIX + detector;
    }

    /** The virtual key this alert is about, if any (what {@code anomaly.suspend_key} suspends). */
    public Optional<String> credential() {
        return Optional.ofNullable(credentialId);
    }
}
