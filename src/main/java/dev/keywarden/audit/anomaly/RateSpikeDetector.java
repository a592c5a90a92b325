package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Request-rate spikes per principal and per provider key: fires when the requests of the current
 * minute exceed both {@code rate_spike_min_requests} and {@code rate_spike_factor} times the
 * subject's baseline (an exponentially weighted mean over {@code rate_baseline_minutes}), once the
 * subject has {@code rate_learning_minutes} of history.
 */
final class RateSpikeDetector implements Detector {

    static final String NAME = "rate_spike";

    private final AnomalyConfig.RateSpike config;
    private final BoundedMap<String, BucketBaseline> series;

    RateSpikeDetector(AnomalyConfig.RateSpike config, int maxSubjects) {
        this.config = config;
        this.series = new BoundedMap<>(maxSubjects);
    }

    @Override
    public void observe(Observation o, Consumer<Alert> alerts) {
        if (o.principal() != null) {
            check(Detector.principal(o.principal()), o, o.credentialId(), alerts);
        }
        if (o.providerKey() != null) {
            check(Detector.providerKey(o.providerKey()), o, null, alerts);
        }
    }

    private void check(String subject, Observation o, String credential, Consumer<Alert> alerts) {
        BucketBaseline s = series.getOrCreate(subject, k -> new BucketBaseline(Duration.ofMinutes(1), config.baselineMinutes()));
        long count = s.add(o.at(), 1);
        if (s.closedBuckets() >= config.learningMinutes() && count > config.minRequests()
                && count > config.factor() * s.baseline()) {
            alerts.accept(new Alert(NAME, subject, o.at(), Map.of(
                    "requests_this_minute", Long.toString(count),
                    "baseline_per_minute", String.format(java.util.Locale.ROOT, "%.1f", s.baseline()),
                    "factor", Double.toString(config.factor())), credential));
        }
    }
}
