package dev.keywarden.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/** {@code budgets.*} and the budget fields of {@code tiers.<name>.*}: spend budgets per principal, team and key. */
final class BudgetsSection {

    static final Setting ENABLED = Setting.of("budgets.enabled", "KEYWARDEN_BUDGETS_ENABLED", "on",
            "spend budgets on or off (off logs a warning)");
    static final Setting SOFT_THRESHOLD = Setting.of("budgets.soft_threshold", "KEYWARDEN_BUDGETS_SOFT_THRESHOLD",
            Double.toString(BudgetSettings.DEFAULT_SOFT_THRESHOLD),
            "fraction of a budget whose spending raises the soft alert, once per budget and period (above 0, at most 1)");
    static final Setting ON_FAILURE = Setting.of("budgets.on_failure", "KEYWARDEN_BUDGETS_ON_FAILURE", "closed",
            "closed, the only value: a request whose spend cannot be checked is refused");
    static final Setting DAILY = tier("daily_budget_usd", "UTC day", BudgetSettings.TierBudget::dailyNanos);
    static final Setting MONTHLY = tier("monthly_budget_usd", "UTC month", BudgetSettings.TierBudget::monthlyNanos);
    static final List<Setting> SETTINGS = List.of(ENABLED, SOFT_THRESHOLD, ON_FAILURE, DAILY, MONTHLY);

    private BudgetsSection() {
    }

    private static Setting tier(String field, String period, ToLongFunction<BudgetSettings.TierBudget> shipped) {
        StringBuilder defaults = new StringBuilder();
        LimitsSection.SHIPPED_TIERS.forEach(name -> defaults.append(name).append(' ')
                .append(BudgetSettings.usd(shipped.applyAsLong(BudgetSettings.DEFAULT_TIERS.get(name)))).append(", "));
        return Setting.of("tiers.<name>." + field, "KEYWARDEN_TIERS_<NAME>_" + field.toUpperCase(java.util.Locale.ROOT), null,
                "default spend budget in USD per " + period + " of each principal, team and key of the tier; 0 = no limit (docs/limits.md)")
                .shown(defaults + "other tiers 0");
    }

    static BudgetSettings parse(Values values) {
        boolean enabled = values.read(ENABLED, Values::onOff);
        String fraction = "a fraction above 0 and at most 1, such as 0.8";
        double soft = values.read(SOFT_THRESHOLD, raw -> {
            double v = Values.numberAbove(0, fraction).apply(raw);
            if (v > 1) {
                throw new IllegalArgumentException("must be " + fraction);
            }
            return v;
        });
        values.read(ON_FAILURE, raw -> {
            if (!raw.strip().equalsIgnoreCase("closed")) {
                throw new IllegalArgumentException("is not supported; budgets always fail closed (set it to closed or remove it)");
            }
            return raw;
        });
        Map<String, BudgetSettings.TierBudget> tiers = new HashMap<>(BudgetSettings.DEFAULT_TIERS);
        Set<String> names = new TreeSet<>(values.names(DAILY));
        names.addAll(values.names(MONTHLY));
        for (String name : names) {
            BudgetSettings.TierBudget old = tiers.getOrDefault(name, new BudgetSettings.TierBudget(0, 0));
            Setting daily = DAILY.named(name);
            Setting monthly = MONTHLY.named(name);
            tiers.put(name, new BudgetSettings.TierBudget(
                    values.isGiven(daily) ? values.read(daily, BudgetSettings::usdNanos) : old.dailyNanos(),
                    values.isGiven(monthly) ? values.read(monthly, BudgetSettings::usdNanos) : old.monthlyNanos()));
        }
        return new BudgetSettings(enabled, soft, tiers);
    }
}
