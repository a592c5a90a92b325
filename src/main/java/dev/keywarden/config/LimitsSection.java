package dev.keywarden.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/** {@code limits.*} and the rate-limit fields of {@code tiers.<name>.*}: per-principal rate limits and the address lockout. */
final class LimitsSection {

    /** The shipped tiers, in the order the reference lists their defaults. */
    static final List<String> SHIPPED_TIERS = List.of("free", "pro", "enterprise");

    static final Setting ENABLED = Setting.of("limits.enabled", "KEYWARDEN_LIMITS", "on",
            "per-principal rate limits on or off (off logs a warning)");
    static final Setting DEFAULT_TIER = Setting.of("limits.default_tier", "KEYWARDEN_LIMITS_DEFAULT_TIER", "free",
            "tier of principals created implicitly (keys create-virtual) and of principals whose tier is unknown");
    static final Setting AUTH_FAILURES = Setting.of("limits.auth_failures_per_minute", "KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "20",
            "failed credential checks from one address within a minute that lock it out (0 = off)");
    static final Setting AUTH_LOCKOUT = Setting.of("limits.auth_lockout", "KEYWARDEN_AUTH_LOCKOUT", "15m",
            "how long a locked-out address is refused");
    static final Setting REQUESTS = tier("requests_per_minute", "requests admitted per minute (token bucket, refilled continuously)",
            TierLimits::requestsPerMinute);
    static final Setting INPUT_TOKENS = tier("input_tokens_per_minute", "input tokens per minute (charged from an estimate, then"
            + " corrected from usage)", TierLimits::inputTokensPerMinute);
    static final Setting OUTPUT_TOKENS = tier("output_tokens_per_minute", "output tokens per minute (charged from max_tokens, then"
            + " corrected from usage)", TierLimits::outputTokensPerMinute);
    static final Setting CONCURRENT = tier("concurrent_requests", "requests in flight at once", TierLimits::concurrentRequests);
    /** The tier fields in {@link TierLimits} order. */
    static final List<Setting> TIER_FIELDS = List.of(REQUESTS, INPUT_TOKENS, OUTPUT_TOKENS, CONCURRENT);
    static final List<Setting> SETTINGS = List.of(ENABLED, DEFAULT_TIER, AUTH_FAILURES, AUTH_LOCKOUT, REQUESTS, INPUT_TOKENS,
            OUTPUT_TOKENS, CONCURRENT);

    private LimitsSection() {
    }

    private static Setting tier(String field, String meaning, ToLongFunction<TierLimits> shipped) {
        StringBuilder defaults = new StringBuilder();
        SHIPPED_TIERS.forEach(t -> defaults.append(t).append(' ').append(shipped.applyAsLong(LimitsConfig.DEFAULT_TIERS.get(t))).append(", "));
        return Setting.of("tiers.<name>." + field, "KEYWARDEN_TIERS_<NAME>_" + field.toUpperCase(Locale.ROOT), null,
                meaning + " per principal of the tier; 0 = no limit").shown(defaults + "other tiers 0");
    }

    /**
     * @param otherTiers tier names defined by other tier settings (a tier with only a budget is a tier)
     */
    static LimitsConfig parse(Values values, Set<String> otherTiers, List<String> notices) {
        Map<String, long[]> limits = new LinkedHashMap<>();
        LimitsConfig.DEFAULT_TIERS.forEach((name, t) -> limits.put(name, new long[]{t.requestsPerMinute(), t.inputTokensPerMinute(),
                t.outputTokensPerMinute(), t.concurrentRequests()}));
        Set<String> names = new TreeSet<>(otherTiers);
        TIER_FIELDS.forEach(f -> names.addAll(values.names(f)));
        for (String name : names) {
            long[] tier = limits.computeIfAbsent(name, n -> new long[TIER_FIELDS.size()]);
            for (int i = 0; i < TIER_FIELDS.size(); i++) {
                Setting s = TIER_FIELDS.get(i).named(name);
                if (values.isGiven(s)) {
                    long max = TIER_FIELDS.get(i) == CONCURRENT ? Integer.MAX_VALUE : Long.MAX_VALUE;
                    tier[i] = values.read(s, raw -> {
                        long v = Values.wholeNumber("no limit").apply(raw);
                        if (v > max) {
                            throw new IllegalArgumentException("must be a whole number, 0 for no limit");
                        }
                        return v;
                    });
                }
            }
        }
        Map<String, TierLimits> tiers = new LinkedHashMap<>();
        limits.forEach((name, v) -> tiers.put(name, new TierLimits(name, v[0], v[1], v[2], (int) v[3])));
        String defaultTier = values.get(DEFAULT_TIER).strip().toLowerCase(Locale.ROOT);
        if (!tiers.containsKey(defaultTier)) {
            throw Values.error(DEFAULT_TIER, "'" + values.get(DEFAULT_TIER) + "' is not a tier; use free, pro, enterprise or one"
                    + " defined under tiers.<name>");
        }
        boolean enabled = values.read(ENABLED, Values::onOff);
        if (!enabled) {
            notices.add("WARN rate limits are off (limits.enabled: off): principals are not limited");
        }
        return new LimitsConfig(enabled, Map.copyOf(tiers), defaultTier,
                values.read(AUTH_FAILURES, raw -> (int) Math.min(Integer.MAX_VALUE, Values.wholeNumber("off").apply(raw))),
                values.read(AUTH_LOCKOUT, Values::positiveDuration));
    }
}
