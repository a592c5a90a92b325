package dev.keywarden.doctor;

import dev.keywarden.config.LimitsConfig;
import dev.keywarden.config.TierLimits;
import dev.keywarden.limits.budget.Allowance;
import dev.keywarden.limits.budget.BudgetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every tier has rate limits and a spending budget. Limits switched off ({@code limits.enabled: off})
 * is a FAIL; a tier with a dimension at 0 (no limit) is a WARN; a tier whose effective daily and
 * monthly budgets are both unlimited is a WARN. The effective budgets are the shipped tier defaults
 * (free and pro have one, enterprise has none) overridden by {@code tiers.<name>.daily_budget_usd} /
 * {@code monthly_budget_usd} as written ({@link RawSettings}; 0 means no limit), read through
 * {@link BudgetConfig} as the gateway reads them; {@code budgets.enabled: off} leaves every tier without one.
 */
final class LimitsAndBudgetsCheck implements Check {

    static final List<String> BUDGET_FIELDS = List.of("daily_budget_usd", "monthly_budget_usd");

    @Override
    public String id() {
        return "limits-budgets";
    }

    @Override
    public String title() {
        return "Rate limits and budgets for every tier";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        LimitsConfig limits = input.config().limits();
        if (!limits.enabled()) {
            return fail("rate limits are off (limits.enabled: off): any client can spend without bound",
                    "remove limits.enabled: off (KEYWARDEN_LIMITS) and set tiers.<name>.* limits");
        }
        TreeSet<String> tiers = new TreeSet<>(limits.tiers().keySet());
        input.raw().keySet().stream().filter(k -> k.startsWith("tiers.") && k.lastIndexOf('.') > "tiers.".length())
                .map(k -> k.substring("tiers.".length(), k.lastIndexOf('.'))).forEach(tiers::add);
        List<String> unlimited = new ArrayList<>();
        List<String> noBudget = new ArrayList<>();
        BudgetConfig budgets = effectiveBudgets(input.raw());
        for (String tier : tiers) {
            TierLimits t = limits.tiers().get(tier);
            if (t != null) {
                List<String> zero = new ArrayList<>();
                if (t.requestsPerMinute() == 0) {
                    zero.add("requests_per_minute");
                }
                if (t.inputTokensPerMinute() == 0) {
                    zero.add("input_tokens_per_minute");
                }
                if (t.outputTokensPerMinute() == 0) {
                    zero.add("output_tokens_per_minute");
                }
                if (t.concurrentRequests() == 0) {
                    zero.add("concurrent_requests");
                }
                if (!zero.isEmpty()) {
                    unlimited.add(tier + " (" + String.join(", ", zero) + ")");
                }
            }
            if (!hasBudget(budgets, tier)) {
                noBudget.add(tier);
            }
        }
        List<String> problems = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        if (!unlimited.isEmpty()) {
            problems.add("unlimited (0): " + String.join("; ", unlimited));
            fixes.add("set a non-zero tiers.<name>.<limit> for each");
        }
        if (budgets != null && !budgets.enabled()) {
            problems.add("budgets are off (budgets.enabled: off): no tier has a spending limit");
            fixes.add("remove budgets.enabled: off (KEYWARDEN_BUDGETS_ENABLED)");
        } else if (!noBudget.isEmpty()) {
            problems.add("no budget for tier(s): " + String.join(", ", noBudget));
            fixes.add("set tiers.<name>.daily_budget_usd and/or tiers.<name>.monthly_budget_usd");
        }
        if (!problems.isEmpty()) {
            return warn(String.join("; ", problems), String.join("; ", fixes));
        }
        return pass("rate limits and a budget on every tier (" + String.join(", ", tiers) + ")");
    }

    /** The budgets the gateway would enforce for these settings, or null when they are not valid (start-up refuses them). */
    private static BudgetConfig effectiveBudgets(Map<String, String> raw) {
        Map<String, String> settings = new TreeMap<>();
        raw.forEach((k, v) -> {
            boolean tierBudget = k.startsWith("tiers.") && BUDGET_FIELDS.stream().anyMatch(f -> k.endsWith("." + f));
            if (k.startsWith("budgets.") || tierBudget) {
                settings.put(k, v);
            }
        });
        try {
            return BudgetConfig.fromSettings(settings);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** True when {@code tier} has a daily or a monthly limit (a null configuration: judged as if every tier has none). */
    private static boolean hasBudget(BudgetConfig budgets, String tier) {
        if (budgets == null) {
            return false;
        }
        Allowance a = budgets.tierDefault(tier.toLowerCase(java.util.Locale.ROOT));
        return positive(a.dailyNanos()) || positive(a.monthlyNanos());
    }

    private static boolean positive(Long nanos) {
        return nanos != null && nanos > 0;
    }
}
