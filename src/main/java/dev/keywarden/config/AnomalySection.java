package dev.keywarden.config;

import java.net.URI;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code anomaly.*} and {@code alerts.*}: anomaly detection over the call stream and alert delivery. */
final class AnomalySection {

    /** The detector names ({@link AnomalyConfig#DETECTORS}). */
    static final Set<String> DETECTORS = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(
            List.of("rate_spike", "auth_failures", "new_address", "unusual_hour", "tokens_per_request", "tokens_per_hour")));

    static final Setting ENABLED = anomaly("enabled", "true", "run the detectors at all");
    static final Setting QUEUE_SIZE = anomaly("queue_size", "10000", "records waiting for the detector thread before new ones are skipped");
    static final Setting COOLDOWN = anomaly("alert_cooldown", "15m",
            "an alert for the same detector and subject is raised at most once per cool-down");
    static final Setting MAX_SUBJECTS = anomaly("max_subjects", "10000",
            "principals, provider keys and addresses each detector remembers (least recently seen forgotten first)");
    static final Setting SUSPEND_KEY = anomaly("suspend_key", "false", "revoke the virtual key named in an alert");
    static final Setting SUSPEND_ON = anomaly("suspend_on", "all",
            "the detectors whose alerts suspend a key: all, or a list of " + String.join(", ", DETECTORS)).asList();
    static final Setting WARM_UP = anomaly("warm_up", "7d", "how much stored audit history to learn from at start-up (0 = none)");
    static final Setting RATE_FACTOR = anomaly("rate_spike_factor", "5",
            "a minute's requests above this times the subject's baseline is a spike (above 1)");
    static final Setting RATE_MIN = anomaly("rate_spike_min_requests", "60", "never fire at or below this many requests a minute");
    static final Setting RATE_BASELINE = anomaly("rate_baseline_minutes", "60", "span of the moving request-rate baseline");
    static final Setting RATE_LEARNING = anomaly("rate_learning_minutes", "30", "active minutes of history before the rate detector may fire");
    static final Setting AUTH_THRESHOLD = anomaly("auth_failure_threshold", "10",
            "401/403 answers (and failed admin logins) within the window, per address or principal, that raise an alert");
    static final Setting AUTH_WINDOW = anomaly("auth_failure_window", "1m", "the window of auth_failure_threshold");
    static final Setting ADDRESS_LEARNING = anomaly("new_address_learning", "7d",
            "how long after a principal's first call its client addresses are only learned");
    static final Setting ADDRESS_MEMORY = anomaly("new_address_memory", "64", "client addresses remembered per principal");
    static final Setting HOUR_MIN = anomaly("unusual_hour_min_requests", "500",
            "history a principal needs before the unusual-hour detector may fire");
    static final Setting HOUR_LEARNING = anomaly("unusual_hour_learning", "7d", "and how long since its first call");
    static final Setting HOUR_SHARE = anomaly("unusual_hour_max_share", "0.002",
            "an hour of the day holding at most this share of the history is unusual (0 to 1)");
    static final Setting TIMEZONE = anomaly("timezone", "UTC", "the zone in which hours of the day are counted");
    static final Setting TOKEN_FACTOR = anomaly("token_spike_factor", "10",
            "a request's tokens above this times the subject's mean is unusual (above 1)");
    static final Setting TOKEN_MIN = anomaly("token_spike_min_tokens", "20000", "never fire for a request at or below this many tokens");
    static final Setting TOKEN_LEARNING = anomaly("token_learning_requests", "50",
            "requests of history before the per-request token check may fire");
    static final Setting TOKEN_CEILING = anomaly("tokens_per_request_max", "0", "absolute ceiling of tokens per request (0 = off)");
    static final Setting HOUR_FACTOR = anomaly("token_hour_spike_factor", "5",
            "an hour's tokens above this times the subject's hourly baseline is unusual (above 1)");
    static final Setting HOUR_TOKENS_MIN = anomaly("token_hour_min_tokens", "200000", "never fire for an hour at or below this many tokens");
    static final Setting HOUR_LEARNING_HOURS = anomaly("token_learning_hours", "24", "active hours of history before the hourly check may fire");
    static final Setting HOUR_CEILING = anomaly("tokens_per_hour_max", "0", "absolute ceiling of tokens per subject and clock hour (0 = off)");
    static final Setting WEBHOOK_URL = alerts("webhook_url", null,
            "http(s) URL that receives every alert as a signed JSON POST (off when unset)").asSecret().shown("off");
    static final Setting WEBHOOK_SECRET = alerts("webhook_secret", null,
            "HMAC-SHA-256 key of the Keywarden-Signature header; required with webhook_url, at least 32 characters").asSecret();
    static final Setting WEBHOOK_ATTEMPTS = alerts("webhook_max_attempts", "5",
            "attempts per alert (retried with exponential back-off on 5xx and connection errors)");
    static final Setting WEBHOOK_BACKOFF = alerts("webhook_backoff", "1s", "wait before the 2nd attempt; doubled before each further one");
    static final Setting WEBHOOK_TIMEOUT = alerts("webhook_timeout", "10s", "connect and response timeout of one attempt");
    static final List<Setting> SETTINGS = List.of(ENABLED, QUEUE_SIZE, COOLDOWN, MAX_SUBJECTS, SUSPEND_KEY, SUSPEND_ON, WARM_UP,
            RATE_FACTOR, RATE_MIN, RATE_BASELINE, RATE_LEARNING, AUTH_THRESHOLD, AUTH_WINDOW, ADDRESS_LEARNING, ADDRESS_MEMORY,
            HOUR_MIN, HOUR_LEARNING, HOUR_SHARE, TIMEZONE, TOKEN_FACTOR, TOKEN_MIN, TOKEN_LEARNING, TOKEN_CEILING, HOUR_FACTOR,
            HOUR_TOKENS_MIN, HOUR_LEARNING_HOURS, HOUR_CEILING, WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF,
            WEBHOOK_TIMEOUT);

    private AnomalySection() {
    }

    private static Setting anomaly(String name, String defaultValue, String meaning) {
        return Setting.of("anomaly." + name, "KEYWARDEN_ANOMALY_" + name.toUpperCase(Locale.ROOT), defaultValue, meaning);
    }

    private static Setting alerts(String name, String defaultValue, String meaning) {
        return Setting.of("alerts." + name, "KEYWARDEN_ALERTS_" + name.toUpperCase(Locale.ROOT), defaultValue, meaning);
    }

    /** Every setting's path and default ({@code ""} where there is none), in documentation order. */
    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        SETTINGS.forEach(s -> d.put(s.path(), s.defaultValue() == null ? "" : s.defaultValue()));
        return java.util.Collections.unmodifiableMap(d);
    }

    static AnomalyConfig parse(Values v) {
        String greaterThanOne = "a number greater than 1, e.g. ";
        AnomalyConfig.RateSpike rate = new AnomalyConfig.RateSpike(
                v.read(RATE_FACTOR, Values.numberAbove(1.0, greaterThanOne + "5")),
                v.read(RATE_MIN, Values::positiveInt),
                v.read(RATE_BASELINE, Values::positiveInt),
                v.read(RATE_LEARNING, Values::positiveInt));
        AnomalyConfig.AuthFailures auth = new AnomalyConfig.AuthFailures(
                v.read(AUTH_THRESHOLD, Values::positiveInt),
                v.read(AUTH_WINDOW, Values::positiveDuration));
        AnomalyConfig.NewAddress address = new AnomalyConfig.NewAddress(
                v.read(ADDRESS_LEARNING, Values::duration),
                v.read(ADDRESS_MEMORY, Values::positiveInt));
        AnomalyConfig.UnusualHours hours = new AnomalyConfig.UnusualHours(
                v.read(HOUR_MIN, Values::positiveInt),
                v.read(HOUR_LEARNING, Values::duration),
                v.read(HOUR_SHARE, raw -> {
                    String share = "a share between 0 and 1, e.g. 0.002";
                    double d = Values.numberAbove(-1, share).apply(raw);
                    if (d < 0 || d >= 1) {
                        throw new IllegalArgumentException("must be " + share);
                    }
                    return d;
                }),
                v.read(TIMEZONE, raw -> {
                    try {
                        return ZoneId.of(raw.strip());
                    } catch (DateTimeException e) {
                        throw new IllegalArgumentException("must be a time zone such as UTC or Europe/Berlin");
                    }
                }));
        AnomalyConfig.Tokens tokens = new AnomalyConfig.Tokens(
                v.read(TOKEN_FACTOR, Values.numberAbove(1.0, greaterThanOne + "10")),
                v.read(TOKEN_MIN, Values.wholeNumber("none")),
                v.read(TOKEN_LEARNING, Values::positiveInt),
                v.read(TOKEN_CEILING, Values.wholeNumber("off")),
                v.read(HOUR_FACTOR, Values.numberAbove(1.0, greaterThanOne + "5")),
                v.read(HOUR_TOKENS_MIN, Values.wholeNumber("none")),
                v.read(HOUR_LEARNING_HOURS, Values::positiveInt),
                v.read(HOUR_CEILING, Values.wholeNumber("off")));
        return new AnomalyConfig(v.read(ENABLED, Values::trueFalse),
                v.read(QUEUE_SIZE, Values::positiveInt),
                v.read(COOLDOWN, Values::positiveDuration),
                v.read(MAX_SUBJECTS, Values::positiveInt),
                v.read(SUSPEND_KEY, Values::trueFalse),
                v.read(SUSPEND_ON, AnomalySection::detectors),
                v.read(WARM_UP, Values::duration), rate, auth, address, hours, tokens, webhook(v));
    }

    private static Optional<AnomalyConfig.Webhook> webhook(Values v) {
        String url = v.get(WEBHOOK_URL);
        if (url == null || url.strip().equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        URI uri = v.read(WEBHOOK_URL, raw -> {
            URI u = Values.httpUrl(raw, "https://alerts.example.com/keywarden");
            if (u.getUserInfo() != null) {
                throw new IllegalArgumentException("must not contain credentials; the receiver verifies alerts.webhook_secret instead");
            }
            return u;
        });
        String secret = v.get(WEBHOOK_SECRET);
        if (secret == null) {
            throw Values.error(WEBHOOK_SECRET, "required when alerts.webhook_url is set; set it to a random value of at least 32"
                    + " characters (e.g. openssl rand -hex 32) shared with the receiver");
        }
        secret = secret.strip();
        if (secret.length() < 32) {
            throw Values.error(WEBHOOK_SECRET, "too short (" + secret.length()
                    + " characters); use a random value of at least 32 characters (e.g. openssl rand -hex 32)");
        }
        return Optional.of(new AnomalyConfig.Webhook(uri, Secret.of(secret),
                v.read(WEBHOOK_ATTEMPTS, Values::positiveInt),
                v.read(WEBHOOK_BACKOFF, Values::positiveDuration),
                v.read(WEBHOOK_TIMEOUT, Values::positiveDuration)));
    }

    private static Set<String> detectors(String raw) {
        if (raw.strip().equalsIgnoreCase("all")) {
            return DETECTORS;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String part : raw.split(",")) {
            String d = part.strip().toLowerCase(Locale.ROOT);
            if (!DETECTORS.contains(d)) {
                throw new IllegalArgumentException("must be all or a comma-separated list of " + String.join(", ", DETECTORS));
            }
            out.add(d);
        }
        return out;
    }
}
