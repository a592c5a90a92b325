package dev.keywarden.limits.budget;

import dev.keywarden.config.ConfigException;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Budget settings: the soft-alert threshold, the failure mode (always closed) and each tier's default
 * daily and monthly budget in USD.
 *
 * <p>Guarantee: built only by {@link #fromSettings}, which rejects any mistake with a one-line
 * {@link ConfigException} naming the setting and the fix.
 *
 * @param enabled       false only when the operator set {@code budgets.enabled: off}
 * @param softThreshold fraction of a budget whose spending raises the soft alert (0 &lt; x &lt;= 1)
 * @param tierDefaults  tier name to its default budgets (a tier not listed has none)
 */
public record BudgetConfig(boolean enabled, double softThreshold, Map<String, Allowance> tierDefaults) {

    public static final double DEFAULT_SOFT_THRESHOLD = 0.8;
    /** Shipped defaults: free USD 1 a day / 10 a month, pro USD 50 / 500, enterprise unlimited. */
    public static final Map<String, Allowance> DEFAULT_TIER_BUDGETS = Map.of(
            "free", new Allowance(Usd.toNanos(1), Usd.toNanos(10)),
            "pro", new Allowance(Usd.toNanos(50), Usd.toNanos(500)),
            "enterprise", Allowance.UNLIMITED);

    /** The default budgets of {@code tier} (no limit when the tier has none). */
    public Allowance tierDefault(String tier) {
        Allowance a = tier == null ? null : tierDefaults.get(tier);
        return a == null ? Allowance.UNLIMITED : a;
    }

    /**
     * Builds from {@code budgets.soft_threshold}, {@code budgets.on_failure} and
     * {@code tiers.<name>.daily_budget_usd} / {@code tiers.<name>.monthly_budget_usd} (raw values by YAML path).
     */
    public static BudgetConfig fromSettings(Map<String, String> settings) {
        double soft = DEFAULT_SOFT_THRESHOLD;
        boolean enabled = true;
        Map<String, Allowance> tiers = new HashMap<>(DEFAULT_TIER_BUDGETS);
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String path = e.getKey();
            String raw = e.getValue() == null ? "" : e.getValue().strip();
            switch (path) {
                case "budgets.soft_threshold" -> soft = threshold(raw);
                case "budgets.enabled" -> enabled = switch (raw.toLowerCase(Locale.ROOT)) {
                    case "on", "true", "yes" -> true;
                    case "off", "false", "no" -> false;
                    default -> throw new ConfigException("budgets.enabled (KEYWARDEN_BUDGETS_ENABLED): '" + raw + "' must be on or off");
                };
                case "budgets.on_failure" -> {
                    if (!raw.equalsIgnoreCase("closed")) {
                        throw new ConfigException("budgets.on_failure (KEYWARDEN_BUDGETS_ON_FAILURE): '" + raw
                                + "' is not supported; budgets always fail closed (set it to closed or remove it)");
                    }
                }
                default -> {
                    if (!path.startsWith("tiers.")) {
                        throw new ConfigException(path + ": unknown setting; budget settings are budgets.enabled,"
                                + " budgets.soft_threshold, budgets.on_failure and tiers.<name>.daily_budget_usd / monthly_budget_usd");
                    }
                    String rest = path.substring("tiers.".length());
                    int dot = rest.lastIndexOf('.');
                    String tier = rest.substring(0, Math.max(0, dot)).toLowerCase(Locale.ROOT);
                    String field = rest.substring(dot + 1);
                    long nanos;
                    try {
                        nanos = Usd.parse(raw);
                    } catch (IllegalArgumentException bad) {
                        throw new ConfigException(path + ": '" + raw + "' " + bad.getMessage());
                    }
                    Allowance old = tiers.getOrDefault(tier, Allowance.UNLIMITED);
                    switch (field) {
                        case "daily_budget_usd" -> tiers.put(tier, new Allowance(nanos, old.monthlyNanos()));
                        case "monthly_budget_usd" -> tiers.put(tier, new Allowance(old.dailyNanos(), nanos));
                        default -> throw new ConfigException(path + ": unknown setting; tier budgets are"
                                + " tiers.<name>.daily_budget_usd and tiers.<name>.monthly_budget_usd");
                    }
                }
            }
        }
        return new BudgetConfig(enabled, soft, Map.copyOf(tiers));
    }

    private static double threshold(String raw) {
        double v;
        try {
            v = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v > 0 && v <= 1)) {
            throw new ConfigException("budgets.soft_threshold (KEYWARDEN_BUDGETS_SOFT_THRESHOLD): '" + raw
                    + "' must be a fraction above 0 and at most 1, such as 0.8");
        }
        return v;
    }
}
