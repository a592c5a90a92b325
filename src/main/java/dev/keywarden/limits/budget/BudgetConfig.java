package dev.keywarden.limits.budget;

import dev.keywarden.config.BudgetSettings;
import java.util.HashMap;
import java.util.Map;

/**
 * The budget policy's view of the validated {@link BudgetSettings}: the soft-alert threshold, whether
 * budgets are on, and each tier's default budgets as {@link Allowance}s.
 *
 * @param enabled       false only when the operator set {@code budgets.enabled: off}
 * @param softThreshold fraction of a budget whose spending raises the soft alert (0 &lt; x &lt;= 1)
 * @param tierDefaults  tier name to its default budgets (a tier not listed has none)
 */
public record BudgetConfig(boolean enabled, double softThreshold, Map<String, Allowance> tierDefaults) {

    public static final double DEFAULT_SOFT_THRESHOLD = BudgetSettings.DEFAULT_SOFT_THRESHOLD;
    /** Shipped defaults: free USD 1 a day / 10 a month, pro USD 50 / 500, enterprise unlimited. */
    public static final Map<String, Allowance> DEFAULT_TIER_BUDGETS = allowances(BudgetSettings.DEFAULT_TIERS);

    /** The default budgets of {@code tier} (no limit when the tier has none). */
    public Allowance tierDefault(String tier) {
        Allowance a = tier == null ? null : tierDefaults.get(tier);
        return a == null ? Allowance.UNLIMITED : a;
    }

    /** The policy for the loaded settings. */
    public static BudgetConfig of(BudgetSettings settings) {
        return new BudgetConfig(settings.enabled(), settings.softThreshold(), allowances(settings.tiers()));
    }

    /**
     * From raw values keyed by YAML path or environment variable ({@code budgets.*},
     * {@code tiers.<name>.daily_budget_usd} / {@code monthly_budget_usd}), through the loader's parser: for tests.
     */
    public static BudgetConfig fromSettings(Map<String, String> settings) {
        return of(BudgetSettings.from(settings));
    }

    private static Map<String, Allowance> allowances(Map<String, BudgetSettings.TierBudget> tiers) {
        Map<String, Allowance> out = new HashMap<>();
        tiers.forEach((name, b) -> out.put(name, new Allowance(b.dailyNanos(), b.monthlyNanos())));
        return Map.copyOf(out);
    }
}
