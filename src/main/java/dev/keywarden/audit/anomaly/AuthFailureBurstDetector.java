package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Bursts of authentication and authorisation failures (401/403 answers, failed admin logins):
 * fires when a client address, or a principal, collects {@code auth_failure_threshold} failures
 * within {@code auth_failure_window}. Keeps at most the threshold's worth of timestamps per subject.
 */
final class AuthFailureBurstDetector implements Detector {

    static final String NAME = "auth_failures";

    private final AnomalyConfig.AuthFailures config;
    private final BoundedMap<String, ArrayDeque<Long>> recent;

    AuthFailureBurstDetector(AnomalyConfig.AuthFailures config, int maxSubjects) {
        this.config = config;
        this.recent = new BoundedMap<>(maxSubjects);
    }

    @Override
    public void observe(Observation o, Consumer<Alert> alerts) {
        if (!o.authFailure()) {
            return;
        }
        if (o.clientAddress() != null) {
            check(Detector.clientAddress(o.clientAddress()), o, null, alerts);
        }
        if (o.principal() != null) {
            check(Detector.principal(o.principal()), o, o.credentialId(), alerts);
        }
    }

    private void check(String subject, Observation o, String credential, Consumer<Alert> alerts) {
        ArrayDeque<Long> times = recent.getOrCreate(subject, k -> new ArrayDeque<>());
        long now = o.at().toEpochMilli();
        long windowStart = now - config.window().toMillis();
        times.addLast(now);
        while (!times.isEmpty() && (times.peekFirst() <= windowStart || times.size() > config.threshold())) {
            times.pollFirst();
        }
        if (times.size() >= config.threshold()) {
            Map<String, String> details = new java.util.TreeMap<>();
            details.put("failures", Integer.toString(times.size()));
            details.put("window_seconds", Long.toString(config.window().toSeconds()));
            details.put("last_status", Integer.toString(o.status()));
            if (o.clientAddress() != null) {
                details.put("client_address", o.clientAddress());
            }
            alerts.accept(new Alert(NAME, subject, o.at(), details, credential));
        }
    }
}
