package dev.keywarden.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Rate limits: whether they are on, the tiers (free, pro, enterprise and custom ones) and the
 * brute-force lockout for unauthenticated failures per client address.
 *
 * <p>Guarantees: built only by {@link ConfigLoader}; {@code tiers} always holds free, pro and enterprise
 * and {@code defaultTier} names one of {@code tiers}.
 *
 * @param enabled              false only when the operator set {@code limits.enabled: off}
 * @param tiers                tier name to its limits
 * @param defaultTier          tier of principals created implicitly and of principals whose tier is unknown
 * @param authFailuresPerMinute failed credential checks from one address within a minute that trigger a lockout (0: off)
 * @param authLockout          how long a locked-out address is refused
 */
public record LimitsConfig(boolean enabled, Map<String, TierLimits> tiers, String defaultTier,
                           int authFailuresPerMinute, Duration authLockout) {

    public static final Map<String, TierLimits> DEFAULT_TIERS = defaults();
    static final String[] FIELDS = {"requests_per_minute", "input_tokens_per_minute", "output_tokens_per_minute", "concurrent_requests"};
    /** Tier fields read by the budget package ({@code dev.keywarden.limits.budget.BudgetConfig}), not by rate limits. */
    public static final java.util.List<String> BUDGET_FIELDS = java.util.List.of("daily_budget_usd", "monthly_budget_usd");
    private static final Pattern TIER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

    private static Map<String, TierLimits> defaults() {
        Map<String, TierLimits> m = new LinkedHashMap<>();
        m.put("free", new TierLimits("free", 10, 20_000, 4_000, 2));
        m.put("pro", new TierLimits("pro", 50, 100_000, 20_000, 10));
        m.put("enterprise", new TierLimits("enterprise", 200, 1_000_000, 200_000, 50));
        return Map.copyOf(m);
    }

    /** The limits of {@code tier}, or of the default tier when {@code tier} is not configured. */
    public TierLimits tier(String tier) {
        TierLimits t = tier == null ? null : tiers.get(tier);
        return t != null ? t : tiers.get(defaultTier);
    }

    public boolean knows(String tier) {
        return tier != null && tiers.containsKey(tier);
    }

    /**
     * Builds the tiers from settings {@code tiers.<name>.<field>} (YAML paths; from the environment as
     * {@code KEYWARDEN_TIERS_<NAME>_<FIELD>}).
     *
     * @param tierValues path to raw value for every {@code tiers.*} setting present
     */
    static LimitsConfig build(boolean enabled, Map<String, String> tierValues, String defaultTier, int authFailures,
                              Duration lockout) {
        Map<String, long[]> raw = new LinkedHashMap<>();
        DEFAULT_TIERS.forEach((name, t) -> raw.put(name, new long[]{t.requestsPerMinute(), t.inputTokensPerMinute(),
                t.outputTokensPerMinute(), t.concurrentRequests()}));
        for (Map.Entry<String, String> e : tierValues.entrySet()) {
            String path = e.getKey();
            String rest = path.substring("tiers.".length());
            int dot = rest.lastIndexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot).toLowerCase(Locale.ROOT);
            String field = dot < 0 ? "" : rest.substring(dot + 1);
            int index = java.util.Arrays.asList(FIELDS).indexOf(field);
            if (BUDGET_FIELDS.contains(field) && TIER_NAME.matcher(name).matches()) {
                raw.computeIfAbsent(name, n -> new long[]{0, 0, 0, 0});
                continue;
            }
            if (index < 0 || !TIER_NAME.matcher(name).matches()) {
                throw new ConfigException(path + ": unknown setting; tier settings are tiers.<name>.{"
                        + String.join(",", FIELDS) + "," + String.join(",", BUDGET_FIELDS) + "} with a lower-case tier name");
            }
            long v;
            try {
                v = Long.parseLong(e.getValue().strip().replace("_", ""));
            } catch (NumberFormatException nfe) {
                v = -1;
            }
            if (v < 0 || (index == 3 && v > Integer.MAX_VALUE)) {
                throw new ConfigException(path + ": '" + e.getValue() + "' must be a whole number, 0 for no limit");
            }
            raw.computeIfAbsent(name, n -> DEFAULT_TIERS.get("free") == null ? new long[4] : new long[]{0, 0, 0, 0})[index] = v;
        }
        Map<String, TierLimits> tiers = new LinkedHashMap<>();
        raw.forEach((name, v) -> tiers.put(name, new TierLimits(name, v[0], v[1], v[2], (int) v[3])));
        String def = defaultTier.strip().toLowerCase(Locale.ROOT);
        if (!tiers.containsKey(def)) {
            throw new ConfigException("limits.default_tier (KEYWARDEN_LIMITS_DEFAULT_TIER): '" + defaultTier
                    + "' is not a tier; use free, pro, enterprise or one defined under tiers.<name>");
        }
        return new LimitsConfig(enabled, Map.copyOf(tiers), def, authFailures, lockout);
    }

    /** {@code tiers.*} paths from environment variables {@code KEYWARDEN_TIERS_<NAME>_<FIELD>}. */
    static Map<String, String> fromEnv(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("KEYWARDEN_TIERS_") || e.getValue() == null || e.getValue().isBlank()) {
                continue;
            }
            String rest = k.substring("KEYWARDEN_TIERS_".length()).toLowerCase(Locale.ROOT);
            Optional<String> field = java.util.stream.Stream.concat(java.util.Arrays.stream(FIELDS), BUDGET_FIELDS.stream())
                    .filter(f -> rest.endsWith("_" + f)).findFirst();
            if (field.isEmpty()) {
                throw new ConfigException(k + ": unknown setting; use KEYWARDEN_TIERS_<NAME>_{REQUESTS_PER_MINUTE,"
                        + "INPUT_TOKENS_PER_MINUTE,OUTPUT_TOKENS_PER_MINUTE,CONCURRENT_REQUESTS,DAILY_BUDGET_USD,MONTHLY_BUDGET_USD}");
            }
            String name = rest.substring(0, rest.length() - field.get().length() - 1);
            out.put("tiers." + name + "." + field.get(), e.getValue());
        }
        return out;
    }

    static Function<String, Boolean> onOff() {
        return raw -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("must be on or off");
        };
    }
}
