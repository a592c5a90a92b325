package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Unusually large token consumption (input + output + cache tokens), per principal and per provider
 * key, as two detectors:
 * <ul>
 *   <li>{@code tokens_per_request}: a request above {@code tokens_per_request_max} (when set), or, after
 *       {@code token_learning_requests} requests, above both {@code token_spike_min_tokens} and
 *       {@code token_spike_factor} times the subject's moving mean per request;</li>
 *   <li>{@code tokens_per_hour}: the current clock hour's total above {@code tokens_per_hour_max} (when
 *       set), or, after {@code token_learning_hours} hours, above both {@code token_hour_min_tokens} and
 *       {@code token_hour_spike_factor} times the subject's hourly baseline.</li>
 * </ul>
 */
final class TokenUsageDetector implements Detector {

    static final String PER_REQUEST = "tokens_per_request";
    static final String PER_HOUR = "tokens_per_hour";

    private static final class Usage {
        final BucketBaseline hourly;
        double mean;
        long requests;

        Usage(int learningHours) {
            this.hourly = new BucketBaseline(Duration.ofHours(1), Math.max(learningHours, 24));
        }
    }

    private final AnomalyConfig.Tokens config;
    private final double alpha;
    private final BoundedMap<String, Usage> usage;

    TokenUsageDetector(AnomalyConfig.Tokens config, int maxSubjects) {
        this.config = config;
        this.alpha = 2.0 / (config.learningRequests() + 1.0);
        this.usage = new BoundedMap<>(maxSubjects);
    }

    @Override
    public void observe(Observation o, Consumer<Alert> alerts) {
        if (o.tokens() <= 0) {
            return;
        }
        if (o.principal() != null) {
            check(Detector.principal(o.principal()), o, o.credentialId(), alerts);
        }
        if (o.providerKey() != null) {
            check(Detector.providerKey(o.providerKey()), o, null, alerts);
        }
    }

    private void check(String subject, Observation o, String credential, Consumer<Alert> alerts) {
        Usage u = usage.getOrCreate(subject, k -> new Usage(config.learningHours()));
        long tokens = o.tokens();
        boolean overCeiling = config.requestCeiling() > 0 && tokens > config.requestCeiling();
        boolean overMean = u.requests >= config.learningRequests() && tokens > config.requestMin()
                && tokens > config.requestFactor() * u.mean;
        if (overCeiling || overMean) {
            alerts.accept(new Alert(PER_REQUEST, subject, o.at(), Map.of(
                    "tokens", Long.toString(tokens),
                    "mean_per_request", String.format(java.util.Locale.ROOT, "%.0f", u.mean),
                    "reason", overCeiling ? "above tokens_per_request_max " + config.requestCeiling()
                            : "above " + config.requestFactor() + " x the mean"), credential));
        }
        u.mean = u.requests == 0 ? tokens : u.mean + alpha * (tokens - u.mean);
        u.requests++;

        long hour = u.hourly.add(o.at(), tokens);
        boolean hourOverCeiling = config.hourCeiling() > 0 && hour > config.hourCeiling();
        boolean hourOverBaseline = u.hourly.closedBuckets() >= config.learningHours() && hour > config.hourMin()
                && hour > config.hourFactor() * u.hourly.baseline();
        if (hourOverCeiling || hourOverBaseline) {
            alerts.accept(new Alert(PER_HOUR, subject, o.at(), Map.of(
                    "tokens_this_hour", Long.toString(hour),
                    "baseline_per_hour", String.format(java.util.Locale.ROOT, "%.0f", u.hourly.baseline()),
                    "reason", hourOverCeiling ? "above tokens_per_hour_max " + config.hourCeiling()
                            : "above " + config.hourFactor() + " x the hourly baseline"), credential));
        }
    }
}
