package dev.keywarden.doctor;

import dev.keywarden.config.BudgetSettings;
import dev.keywarden.config.LimitsConfig;
import dev.keywarden.config.TierLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Every tier has rate limits and a spending budget. Limits switched off ({@code limits.enabled: off})
 * is a FAIL; a tier with a dimension at 0 (no limit) is a WARN; a tier without
 * {@code tiers.<name>.daily_budget_usd} or {@code monthly_budget_usd} above 0 (its own or the shipped
 * default) is a WARN, and so are budgets switched off ({@code budgets.enabled: off}). Budgets are the
 * loaded ones, so the check judges what the gateway enforces.
 */
final class LimitsAndBudgetsCheck implements Check {

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
        BudgetSettings budgets = input.config().budgets();
        TreeSet<String> tiers = new TreeSet<>(limits.tiers().keySet());
        tiers.addAll(budgets.tiers().keySet());
        List<String> unlimited = new ArrayList<>();
        List<String> noBudget = new ArrayList<>();
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
            BudgetSettings.TierBudget budget = budgets.tiers().get(tier);
            if (budgets.enabled() && (budget == null || budget.dailyNanos() == 0 && budget.monthlyNanos() == 0)) {
                noBudget.add(tier);
            }
        }
        List<String> problems = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        if (!unlimited.isEmpty()) {
            problems.add("unlimited (0): " + String.join("; ", unlimited));
            fixes.add("set a non-zero tiers.<name>.<limit> for each");
        }
        if (!budgets.enabled()) {
            problems.add("budgets are off (budgets.enabled: off): spend is not limited");
            fixes.add("remove budgets.enabled: off (KEYWARDEN_BUDGETS_ENABLED)");
        }
        if (!noBudget.isEmpty()) {
            problems.add("no budget for tier(s): " + String.join(", ", noBudget));
            fixes.add("set tiers.<name>.daily_budget_usd and/or tiers.<name>.monthly_budget_usd");
        }
        if (!problems.isEmpty()) {
            return warn(String.join("; ", problems), String.join("; ", fixes));
        }
        return pass("rate limits and a budget on every tier (" + String.join(", ", tiers) + ")");
    }
}
