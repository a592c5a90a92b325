package dev.keywarden.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rate limits: whether they are on, the tiers (free, pro, enterprise and custom ones) and the
 * brute-force lockout for unauthenticated failures per client address.
 *
 * <p>Guarantees when built by {@link ConfigLoader}: {@code tiers} always holds free, pro and enterprise
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

    /** The shipped tiers (the defaults of {@code tiers.<name>.*}). */
    public static final Map<String, TierLimits> DEFAULT_TIERS = defaults();

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
}
