package dev.keywarden.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * Spend budget settings ({@code budgets.*}, {@code tiers.<name>.daily_budget_usd} and
 * {@code monthly_budget_usd}), validated: the soft-alert threshold, whether budgets are on, and each
 * tier's default budgets in nano-dollars. The budget package turns them into its policy.
 *
 * @param enabled       false only when the operator set {@code budgets.enabled: off}
 * @param softThreshold fraction of a budget whose spending raises the soft alert (0 &lt; x &lt;= 1)
 * @param tiers         tier name to its default budgets (the shipped ones, changed or extended by settings)
 */
public record BudgetSettings(boolean enabled, double softThreshold, Map<String, TierBudget> tiers) {

    /**
     * One tier's default budgets in nano-dollars (1 USD = 10^9); 0 means no limit.
     */
    public record TierBudget(long dailyNanos, long monthlyNanos) {
    }

    private static final long USD = 1_000_000_000L;
    public static final double DEFAULT_SOFT_THRESHOLD = 0.8;
    /** Shipped defaults: free USD 1 a day / 10 a month, pro USD 50 / 500, enterprise no limit. */
    public static final Map<String, TierBudget> DEFAULT_TIERS = Map.of(
            "free", new TierBudget(USD, 10 * USD),
            "pro", new TierBudget(50 * USD, 500 * USD),
            "enterprise", new TierBudget(0, 0));

    public BudgetSettings {
        tiers = Map.copyOf(tiers);
    }

    /**
     * Budget settings from raw values keyed by YAML path or environment variable (other keys are ignored), through
     * the same parser as {@link ConfigLoader}: for tests and tools.
     *
     * @throws ConfigException naming the setting and the fix
     */
    public static BudgetSettings from(Map<String, String> settings) {
        ConfigSchema.checkKnown(settings.keySet(), "budgets");
        return BudgetsSection.parse(Values.ofMap(settings));
    }

    /**
     * An operator's amount of USD such as {@code 10}, {@code 0.5} or {@code 0.0001}, in nano-dollars, rounded up.
     *
     * @throws IllegalArgumentException saying what is wrong, for a blank, negative, huge or non-numeric amount
     */
    public static long usdNanos(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("must be an amount of USD such as 10 or 0.5 (0 for no limit)");
        }
        try {
            BigDecimal v = new BigDecimal(raw.strip().replace("_", ""));
            if (v.signum() < 0) {
                throw new IllegalArgumentException("must not be negative (0 for no limit)");
            }
            if (v.compareTo(BigDecimal.valueOf(1_000_000_000L)) > 0) {
                throw new IllegalArgumentException("must be at most 1000000000 USD");
            }
            return v.movePointRight(9).setScale(0, RoundingMode.CEILING).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("must be an amount of USD such as 10 or 0.5 (0 for no limit)");
        }
    }

    /** {@code nanos} as a plain USD amount ({@code 12.5}), for messages and the reference. */
    static String usd(long nanos) {
        BigDecimal v = BigDecimal.valueOf(nanos).movePointLeft(9).stripTrailingZeros();
        return (v.scale() < 0 ? v.setScale(0) : v).toPlainString();
    }
}
