package dev.keywarden.audit.anomaly;

import dev.keywarden.config.ConfigException;
import dev.keywarden.config.Secret;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings of anomaly detection and alert delivery, with every default in one place
 * ({@link #DEFAULTS}). Guarantee: a value that {@link #fromSettings} accepts is in range, and a
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

    /** Every setting this record reads, with its default ({@code ""} = unset), in documentation order. */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("anomaly.enabled", "true");
        d.put("anomaly.queue_size", "10000");
        d.put("anomaly.alert_cooldown", "15m");
        d.put("anomaly.max_subjects", "10000");
        d.put("anomaly.suspend_key", "false");
        d.put("anomaly.suspend_on", "all");
        d.put("anomaly.warm_up", "7d");
        d.put("anomaly.rate_spike_factor", "5");
        d.put("anomaly.rate_spike_min_requests", "60");
        d.put("anomaly.rate_baseline_minutes", "60");
        d.put("anomaly.rate_learning_minutes", "30");
        d.put("anomaly.auth_failure_threshold", "10");
        d.put("anomaly.auth_failure_window", "1m");
        d.put("anomaly.new_address_learning", "7d");
        d.put("anomaly.new_address_memory", "64");
        d.put("anomaly.unusual_hour_min_requests", "500");
        d.put("anomaly.unusual_hour_learning", "7d");
        d.put("anomaly.unusual_hour_max_share", "0.002");
        d.put("anomaly.timezone", "UTC");
        d.put("anomaly.token_spike_factor", "10");
        d.put("anomaly.token_spike_min_tokens", "20000");
        d.put("anomaly.token_learning_requests", "50");
        d.put("anomaly.tokens_per_request_max", "0");
        d.put("anomaly.token_hour_spike_factor", "5");
        d.put("anomaly.token_hour_min_tokens", "200000");
        d.put("anomaly.token_learning_hours", "24");
        d.put("anomaly.tokens_per_hour_max", "0");
        d.put("alerts.webhook_url", "");
        d.put("alerts.webhook_secret", "");
        d.put("alerts.webhook_max_attempts", "5");
        d.put("alerts.webhook_backoff", "1s");
        d.put("alerts.webhook_timeout", "10s");
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    private static final String SECRET_KEY = "alerts.webhook_secret";
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    /** The detector names, as used in {@code anomaly.suspend_on}, alert types and webhook bodies. */
    public static final java.util.Set<String> DETECTORS = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(
            java.util.List.of("rate_spike", "auth_failures", "new_address", "unusual_hour", "tokens_per_request", "tokens_per_hour")));

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
     * Reads the {@code anomaly.*} and {@code alerts.*} entries of {@code flatSettings} (YAML paths; other
     * keys are ignored, blank values mean the default).
     *
     * @throws ConfigException naming the setting, its environment variable and the fix, for an unknown
     *                         {@code anomaly.*}/{@code alerts.*} key or a bad value (a secret is never echoed)
     */
    public static AnomalyConfig fromSettings(Map<String, String> flatSettings) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        flatSettings.forEach((k, val) -> {
            if (k.startsWith("anomaly.") || k.startsWith("alerts.")) {
                if (!DEFAULTS.containsKey(k)) {
                    throw new ConfigException(k + ": unknown setting; known anomaly and alert settings are "
                            + String.join(", ", DEFAULTS.keySet()));
                }
                if (val != null && !val.isBlank()) {
                    v.put(k, val.strip());
                }
            }
        });
        RateSpike rate = new RateSpike(
                parse(v, "anomaly.rate_spike_factor", raw -> number(raw, 1.0, "a number greater than 1, e.g. 5")),
                parse(v, "anomaly.rate_spike_min_requests", AnomalyConfig::positiveInt),
                parse(v, "anomaly.rate_baseline_minutes", AnomalyConfig::positiveInt),
                parse(v, "anomaly.rate_learning_minutes", AnomalyConfig::positiveInt));
        AuthFailures auth = new AuthFailures(
                parse(v, "anomaly.auth_failure_threshold", AnomalyConfig::positiveInt),
                parse(v, "anomaly.auth_failure_window", AnomalyConfig::positiveDuration));
        NewAddress address = new NewAddress(
                parse(v, "anomaly.new_address_learning", AnomalyConfig::duration),
                parse(v, "anomaly.new_address_memory", AnomalyConfig::positiveInt));
        UnusualHours hours = new UnusualHours(
                parse(v, "anomaly.unusual_hour_min_requests", AnomalyConfig::positiveInt),
                parse(v, "anomaly.unusual_hour_learning", AnomalyConfig::duration),
                parse(v, "anomaly.unusual_hour_max_share", raw -> {
                    double d = number(raw, -1, "a share between 0 and 1, e.g. 0.002");
                    if (d < 0 || d >= 1) {
                        throw new IllegalArgumentException("must be a share between 0 and 1, e.g. 0.002");
                    }
                    return d;
                }),
                parse(v, "anomaly.timezone", raw -> {
                    try {
                        return ZoneId.of(raw);
                    } catch (java.time.DateTimeException e) {
                        throw new IllegalArgumentException("must be a time zone such as UTC or Europe/Berlin");
                    }
                }));
        Tokens tokens = new Tokens(
                parse(v, "anomaly.token_spike_factor", raw -> number(raw, 1.0, "a number greater than 1, e.g. 10")),
                parse(v, "anomaly.token_spike_min_tokens", AnomalyConfig::nonNegativeLong),
                parse(v, "anomaly.token_learning_requests", AnomalyConfig::positiveInt),
                parse(v, "anomaly.tokens_per_request_max", AnomalyConfig::nonNegativeLong),
                parse(v, "anomaly.token_hour_spike_factor", raw -> number(raw, 1.0, "a number greater than 1, e.g. 5")),
                parse(v, "anomaly.token_hour_min_tokens", AnomalyConfig::nonNegativeLong),
                parse(v, "anomaly.token_learning_hours", AnomalyConfig::positiveInt),
                parse(v, "anomaly.tokens_per_hour_max", AnomalyConfig::nonNegativeLong));
        Optional<Webhook> webhook = webhook(v);
        boolean suspend = parse(v, "anomaly.suspend_key", AnomalyConfig::bool);
        java.util.Set<String> suspendOn = parse(v, "anomaly.suspend_on", AnomalyConfig::detectors);
        return new AnomalyConfig(parse(v, "anomaly.enabled", AnomalyConfig::bool),
                parse(v, "anomaly.queue_size", AnomalyConfig::positiveInt),
                parse(v, "anomaly.alert_cooldown", AnomalyConfig::positiveDuration),
                parse(v, "anomaly.max_subjects", AnomalyConfig::positiveInt),
                suspend, suspendOn, parse(v, "anomaly.warm_up", AnomalyConfig::duration), rate, auth, address, hours, tokens, webhook);
    }

    /** The environment variable that sets {@code path}, e.g. {@code KEYWARDEN_ANOMALY_RATE_SPIKE_FACTOR}. */
    public static String envName(String path) {
        return "KEYWARDEN_" + path.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static Optional<Webhook> webhook(Map<String, String> v) {
        String url = v.get("alerts.webhook_url");
        String secret = v.get(SECRET_KEY);
        if (url.isEmpty() || url.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        URI uri = parse(v, "alerts.webhook_url", AnomalyConfig::httpUrl);
        if (secret.isEmpty()) {
            throw new ConfigException(label(SECRET_KEY) + ": required when alerts.webhook_url is set;"
                    + " set it to a random value of at least 32 characters (e.g. openssl rand -hex 32) shared with the receiver");
        }
        if (secret.length() < 32) {
            throw new ConfigException(label(SECRET_KEY) + ": too short (" + secret.length()
                    + " characters); use a random value of at least 32 characters (e.g. openssl rand -hex 32)");
        }
        return Optional.of(new Webhook(uri, Secret.of(secret),
                parse(v, "alerts.webhook_max_attempts", AnomalyConfig::positiveInt),
                parse(v, "alerts.webhook_backoff", AnomalyConfig::positiveDuration),
                parse(v, "alerts.webhook_timeout", AnomalyConfig::positiveDuration)));
    }

    private static String label(String path) {
        return path + " (" + envName(path) + ")";
    }

    private static <T> T parse(Map<String, String> v, String key, Function<String, T> parser) {
        String raw = v.get(key);
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            boolean hide = key.equals(SECRET_KEY) || key.equals("alerts.webhook_url");
            throw new ConfigException(label(key) + ":" + (hide ? "" : " '" + raw + "'") + " " + e.getMessage());
        }
    }

    private static java.util.Set<String> detectors(String raw) {
        if (raw.equalsIgnoreCase("all")) {
            return DETECTORS;
        }
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String part : raw.split(",")) {
            String d = part.strip().toLowerCase(Locale.ROOT);
            if (!DETECTORS.contains(d)) {
                throw new IllegalArgumentException("must be all or a comma-separated list of " + String.join(", ", DETECTORS));
            }
            out.add(d);
        }
        return out;
    }

    private static boolean bool(String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static int positiveInt(String raw) {
        int n;
        try {
            n = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number greater than 0");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("must be a whole number greater than 0");
        }
        return n;
    }

    private static long nonNegativeLong(String raw) {
        long n;
        try {
            n = Long.parseLong(raw.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number (0 = off)");
        }
        if (n < 0) {
            throw new IllegalArgumentException("must be a whole number (0 = off)");
        }
        return n;
    }

    private static double number(String raw, double exclusiveMin, String what) {
        double d;
        try {
            d = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be " + what);
        }
        if (!Double.isFinite(d) || d <= exclusiveMin) {
            throw new IllegalArgumentException("must be " + what);
        }
        return d;
    }

    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 7d}; a bare number is seconds. */
    private static Duration duration(String raw) {
        Matcher m = DURATION.matcher(raw.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a duration such as 30s, 10m, 1h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static Duration positiveDuration(String raw) {
        Duration d = duration(raw);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be greater than 0");
        }
        return d;
    }

    private static URI httpUrl(String raw) {
        try {
            URI u = new URI(raw);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw new IllegalArgumentException("must be an http(s) URL such as https://alerts.example.com/keywarden");
            }
            if (u.getUserInfo() != null) {
                throw new IllegalArgumentException("must not contain credentials; the receiver verifies alerts.webhook_secret instead");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("must be an http(s) URL such as https://alerts.example.com/keywarden");
        }
    }
}
