package dev.keywarden.doctor;

import dev.keywarden.config.AnomalyConfig;

/** Anomaly detection is on and its alerts leave the host through a webhook (otherwise they only reach the log and audit trail). */
final class AlertsCheck implements Check {

    @Override
    public String id() {
        return "alerts";
    }

    @Override
    public String title() {
        return "Alerts configured";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        AnomalyConfig anomaly = input.config().anomaly();
        if (!anomaly.enabled()) {
            return warn("anomaly detection is off (anomaly.enabled: false): no alerts are raised",
                    "set anomaly.enabled: true and alerts.webhook_url (KEYWARDEN_ALERTS_WEBHOOK_URL)");
        }
        if (anomaly.webhook().isEmpty()) {
            return warn("no alert webhook: alerts go to the log and audit trail only",
                    "set alerts.webhook_url (KEYWARDEN_ALERTS_WEBHOOK_URL) and alerts.webhook_secret (KEYWARDEN_ALERTS_WEBHOOK_SECRET)"
                            + " so alerts reach a person");
        }
        return pass("alerts are sent to a webhook at " + anomaly.webhook().get().url().getHost());
    }
}
