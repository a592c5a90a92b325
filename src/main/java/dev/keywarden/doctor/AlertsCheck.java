package dev.keywarden.doctor;

import java.util.Locale;
import java.util.Map;

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
        Map<String, String> s = input.config().alertSettings();
        String enabled = s.getOrDefault("anomaly.enabled", "true").strip().toLowerCase(Locale.ROOT);
        if (enabled.equals("false") || enabled.equals("off") || enabled.equals("no")) {
            return warn("anomaly detection is off (anomaly.enabled: " + s.get("anomaly.enabled") + "): no alerts are raised",
                    "set anomaly.enabled: true and alerts.webhook_url (KEYWARDEN_ALERTS_WEBHOOK_URL)");
        }
        String url = s.getOrDefault("alerts.webhook_url", "").strip();
        if (url.isEmpty()) {
            return warn("no alert webhook: alerts go to the log and audit trail only",
                    "set alerts.webhook_url (KEYWARDEN_ALERTS_WEBHOOK_URL) and alerts.webhook_secret (KEYWARDEN_ALERTS_WEBHOOK_SECRET)"
                            + " so alerts reach a person");
        }
        String host;
        try {
            host = java.net.URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            host = null;
        }
        return pass("alerts are sent to a webhook" + (host == null ? "" : " at " + host));
    }
}
