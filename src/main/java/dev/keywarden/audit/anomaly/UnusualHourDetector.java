package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Activity outside a principal's usual hours: learns an hour-of-day histogram of each principal's
 * calls (in {@code anomaly.timezone}); once the principal has {@code unusual_hour_min_requests}
 * calls spread over at least {@code unusual_hour_learning}, a call in an hour holding at most
 * {@code unusual_hour_max_share} of its history raises an alert. The call is then learned, so a
 * lasting change of habit stops alerting.
 */
final class UnusualHourDetector implements Detector {

    static final String NAME = "unusual_hour";

    private static final class Histogram {
        final Instant firstSeen;
        final long[] hours = new long[24];
        long total;

        Histogram(Instant firstSeen) {
            this.firstSeen = firstSeen;
        }
    }

    private final AnomalyConfig.UnusualHours config;
    private final BoundedMap<String, Histogram> principals;

    UnusualHourDetector(AnomalyConfig.UnusualHours config, int maxSubjects) {
        this.config = config;
        this.principals = new BoundedMap<>(maxSubjects);
    }

    @Override
    public void observe(Observation o, Consumer<Alert> alerts) {
        if (o.principal() == null || o.authFailure()) {
            return;
        }
        Histogram h = principals.getOrCreate(o.principal(), k -> new Histogram(o.at()));
        int hour = o.at().atZone(config.zone()).getHour();
        boolean experienced = h.total >= config.minRequests() && !o.at().isBefore(h.firstSeen.plus(config.learning()));
        if (experienced && h.hours[hour] <= config.maxShare() * h.total) {
            alerts.accept(new Alert(NAME, Detector.principal(o.principal()), o.at(), Map.of(
                    "hour", String.format(java.util.Locale.ROOT, "%02d", hour),
                    "timezone", config.zone().getId(),
                    "requests_in_this_hour", Long.toString(h.hours[hour]),
                    "requests_total", Long.toString(h.total)), o.credentialId()));
        }
        h.hours[hour]++;
        h.total++;
    }
}
