package dev.keywarden.limits.budget;

import java.time.Instant;

/**
 * One budget that applies to a call: whose spend ({@code scope}, {@code subjectId}), over which period,
 * and its limit in nano-dollars (0: no limit; the spend is still counted).
 *
 * @param subjectName how messages name the subject (principal or team name, key prefix); never a secret
 * @param periodLabel the period the call falls in, e.g. {@code 2026-11-29}
 * @param periodEnd   when that period ends and the budget resets
 */
public record BudgetLine(Scope scope, String subjectId, String subjectName, Period period, String periodLabel,
                         Instant periodEnd, long limitNanos) {

    public static BudgetLine of(Scope scope, String subjectId, String subjectName, Period period, long limitNanos, Instant now) {
        return new BudgetLine(scope, subjectId, subjectName, period, period.label(now), period.end(now), limitNanos);
    }

    /** The counter's name: {@code <scope>:<subject id>:<period label>}. */
    public String counter() {
        return scope.wireName() + ":" + subjectId + ":" + periodLabel;
    }

    public boolean limited() {
        return limitNanos > 0;
    }

    /** For messages: {@code daily budget of principal alice}. */
    public String describe() {
        return period.adjective() + " budget of " + scope.wireName() + " " + subjectName;
    }
}
