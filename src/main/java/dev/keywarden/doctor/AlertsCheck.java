package dev.keywarden.doctor;

import dev.keywarden.config.AnomalyConfig;

/**
 * Whether alerts leave the host. {@code serve} sends every ALERT-class security event (provider key
 * compromised, unreadable or rejected, vault sealed or unseal failure, shared state unavailable, budget
 * soft threshold or exhausted, lockouts) and every anomaly alert to the alert webhook exactly when
 * {@code alerts.webhook_url} is set ({@code audit.SecurityEventRouter}), so this check passes on the same
 * condition, and warns when anomaly detection, one of the alert sources, is off.
 */
final class AlertsCheck implements Check {

    static final String WEBHOOK_FIX = "set alerts.webhook_url (KEYWARDEN_ALERTS_WEBHOOK_URL) and alerts.webhook_secret"
            + " (KEYWARDEN_ALERTS_WEBHOOK_SECRET) so alerts reach a person";

    @Override
    public String id() {
        return "alerts";
    }

    @Override
    public String title() {
        return "Alerts leave the host";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        AnomalyConfig anomaly = input.config().anomaly();
        if (anomaly.webhook().isEmpty()) {
            return warn("no alert webhook: ALERT security events (provider keys, vault, shared state, budgets, lockouts)"
                    + (anomaly.enabled() ? " and anomaly alerts stay" : " stay") + " on this host, in the log and the audit trail"
                    + (anomaly.enabled() ? "" : "; anomaly detection is off (anomaly.enabled: false)"), WEBHOOK_FIX);
        }
        String host = anomaly.webhook().get().url().getHost();
        if (!anomaly.enabled()) {
            return warn("ALERT security events are sent to the webhook at " + host + ", but anomaly detection is off"
                    + " (anomaly.enabled: false): no anomaly alerts are raised", "set anomaly.enabled: true");
        }
        return pass("ALERT security events and anomaly alerts are sent, signed, to the webhook at " + host);
    }
}
