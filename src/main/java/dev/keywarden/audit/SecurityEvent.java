package dev.keywarden.audit;

import java.time.Instant;
import java.util.Map;

/**
 * A security-relevant event (key created, rotated, revoked, compromised; vault sealed or unsealed;
 * an alert). {@code details} hold identifiers and fingerprints only, never a secret.
 *
 * @param type    dotted event name, e.g. {@code provider_key.revoked}
 * @param alert   whether operators must be alerted (not just recorded)
 */
public record SecurityEvent(Instant at, String type, boolean alert, String subject, Map<String, String> details) {

    public static SecurityEvent of(String type, String subject, Map<String, String> details) {
        return new SecurityEvent(Instant.now(), type, false, subject, Map.copyOf(details));
    }

    public static SecurityEvent alert(String type, String subject, Map<String, String> details) {
        return new SecurityEvent(Instant.now(), type, true, subject, Map.copyOf(details));
    }
}
