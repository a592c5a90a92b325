package dev.keywarden.audit.anomaly;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;

import java.util.Map;
import java.util.TreeMap;

/**
 * Records every alert in the audit trail as {@code SecurityEvent.alert("anomaly.<detector>", subject,
 * details)} (plus {@code credential_id} when the alert names one). The monitor never learns from
 * {@code anomaly.*} events, so feeding the trail back into the monitor cannot loop.
 */
public final class AuditTrailAlertSink implements AlertSink {

    private final SecurityEvents events;

    public AuditTrailAlertSink(SecurityEvents events) {
        this.events = java.util.Objects.requireNonNull(events, "events");
    }

    @Override
    public void deliver(Alert alert) {
        Map<String, String> details = new TreeMap<>(alert.details());
        alert.credential().ifPresent(c -> details.put("credential_id", c));
        details.put("detected_at", alert.at().toString());
        events.record(SecurityEvent.alert(alert.type(), alert.subject(), details));
    }
}
