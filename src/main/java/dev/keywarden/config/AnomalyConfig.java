package dev.keywarden.config;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of anomaly detection and alert delivery, validated by {@link AnomalySection} (where every
 * default is). Guarantee: a value that the loader accepts is in range, and a
 * rejected one stops start-up with one line naming the setting; the webhook secret is held as a
 * {@link Secret}, so printing this record never reveals it.
 *
 * @param enabled      {@code anomaly.enabled}: run the detectors at all
 * @param queueSize    {@code anomaly.queue_size}: records waiting for the detector thread before new ones are skipped
 * @param cooldown     {@code anomaly.alert_cooldown}: an alert for the same detector and subject is raised at most once per cool-down
 * @param maxSubjects  {@code anomaly.max_subjects}: principals, provider keys and addresses each detector remembers (least recently seen forgotten first)
 * @param suspendKey   {@code anomaly.suspend_key}: suspend the virtual key named in an alert
 * @param suspendOn    {@code anomaly.suspend_on}: the detectors whose alerts suspend a key ({@code all} or a comma list)
 * @param warmUp       {@code anomaly.warm_up}: how much stored audit history to learn from at start-up ({@code 0} = none)
 */
public record AnomalyConfig(boolean enabled, int queueSize, Duration cooldown, int maxSubjects, boolean suspendKey,
                            java.util.Set<String> suspendOn, Duration warmUp,
                            RateSpike rateSpike, AuthFailures authFailures, NewAddress newAddress,
                            UnusualHours unusualHours, Tokens tokens, Optional<Webhook> webhook) {

    /**
     * Request-rate spike: fires when the requests of the current minute exceed {@code factor} times the
     * subject's baseline (an exponentially weighted mean of its past active minutes) and {@code minRequests}.
     *
     * @param factor          {@code anomaly.rate_spike_factor}
     * @param minRequests     {@code anomaly.rate_spike_min_requests}: never fire at or below this many requests a minute
     * @param baselineMinutes {@code anomaly.rate_baseline_minutes}: span of the moving baseline
     * @param learningMinutes {@code anomaly.rate_learning_minutes}: active minutes of history before the detector may fire
     */
    public record RateSpike(double factor, int minRequests, int baselineMinutes, int learningMinutes) {
    }

    /**
     * Bursts of 401/403 answers (and failed admin logins) per client address and per principal.
     *
     * @param threshold {@code anomaly.auth_failure_threshold}: failures within the window that raise an alert
     * @param window    {@code anomaly.auth_failure_window}
     */
    public record AuthFailures(int threshold, Duration window) {
    }

    /**
     * A request from a client address not seen before for that principal.
     *
     * @param learning {@code anomaly.new_address_learning}: how long after a principal's first call its addresses are only learned
     * @param memory   {@code anomaly.new_address_memory}: addresses remembered per principal (least recently used forgotten first)
     */
    public record NewAddress(Duration learning, int memory) {
    }

    /**
     * Activity in an hour of the day in which the principal has (almost) never been active.
     *
     * @param minRequests {@code anomaly.unusual_hour_min_requests}: history a principal needs before the detector may fire
     * @param learning    {@code anomaly.unusual_hour_learning}: and how long since its first call
     * @param maxShare    {@code anomaly.unusual_hour_max_share}: an hour holding at most this share of the history is unusual
     * @param zone        {@code anomaly.timezone}: the zone in which hours of the day are counted
     */
    public record UnusualHours(int minRequests, Duration learning, double maxShare, ZoneId zone) {
    }

    /**
     * Unusually large token consumption (input + output + cache tokens) per request and per hour.
     *
     * @param requestFactor    {@code anomaly.token_spike_factor}: a request above this times the subject's mean is unusual
     * @param requestMin       {@code anomaly.token_spike_min_tokens}: never fire for a request at or below this many tokens
     * @param learningRequests {@code anomaly.token_learning_requests}: requests of history before the per-request check may fire
     * @param requestCeiling   {@code anomaly.tokens_per_request_max}: absolute ceiling per request, 0 = off
     * @param hourFactor       {@code anomaly.token_hour_spike_factor}: an hour above this times the subject's hourly baseline is unusual
     * @param hourMin          {@code anomaly.token_hour_min_tokens}: never fire for an hour at or below this many tokens
     * @param learningHours    {@code anomaly.token_learning_hours}: active hours of history before the hourly check may fire
     * @param hourCeiling      {@code anomaly.tokens_per_hour_max}: absolute ceiling per subject and clock hour, 0 = off
     */
    public record Tokens(double requestFactor, long requestMin, int learningRequests, long requestCeiling,
                         double hourFactor, long hourMin, int learningHours, long hourCeiling) {
    }

    /**
     * Alert webhook: a signed JSON POST, retried with exponential back-off on 5xx and connection errors.
     *
     * @param url            {@code alerts.webhook_url}
     * @param secret         {@code alerts.webhook_secret}: HMAC-SHA-256 key of the {@code Keywarden-Signature} header
     * @param maxAttempts    {@code alerts.webhook_max_attempts}
     * @param initialBackoff {@code alerts.webhook_backoff}: wait before the 2nd attempt; doubled before each further one
     * @param timeout        {@code alerts.webhook_timeout}: connect and response timeout of one attempt
     */
    public record Webhook(URI url, Secret secret, int maxAttempts, Duration initialBackoff, Duration timeout) {
        @Override
        public String toString() {
            return "Webhook[url=" + url.getScheme() + "://" + url.getAuthority() + "/…, secret=[secret], maxAttempts="
                    + maxAttempts + ", initialBackoff=" + initialBackoff + ", timeout=" + timeout + "]";
        }
    }

    /** Every setting this record reads, with its default ({@code ""} = unset), in documentation order ({@link AnomalySection}). */
    public static final Map<String, String> DEFAULTS = AnomalySection.defaults();

    /** The detector names, as used in {@code anomaly.suspend_on}, alert types and webhook bodies. */
    public static final java.util.Set<String> DETECTORS = AnomalySection.DETECTORS;

    public AnomalyConfig {
        java.util.Objects.requireNonNull(webhook, "webhook");
        suspendOn = java.util.Set.copyOf(suspendOn);
    }

    /** Whether an alert of {@code detector} triggers the {@code anomaly.suspend_key} action. */
    public boolean suspends(String detector) {
        return suspendKey && suspendOn.contains(detector);
    }

    /** Detection on with every default; no webhook. */
    public static AnomalyConfig defaults() {
        return fromSettings(Map.of());
    }

    /**
     * Anomaly and alert settings from raw values keyed by YAML path or environment variable (other keys are
     * ignored, blank values mean the default), through the same parser as {@link ConfigLoader}: for tests and tools.
     *
     * @throws ConfigException naming the setting, its environment variable and the fix, for an unknown
     *                         {@code anomaly.*}/{@code alerts.*} key or a bad value (a secret is never echoed)
     */
    public static AnomalyConfig fromSettings(Map<String, String> flatSettings) {
        ConfigSchema.checkKnown(flatSettings.keySet(), "anomaly", "alerts");
        return AnomalySection.parse(Values.ofMap(flatSettings));
    }
}
