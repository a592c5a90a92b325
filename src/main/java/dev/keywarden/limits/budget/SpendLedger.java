package dev.keywarden.limits.budget;

import java.util.List;

/**
 * Where spend per budget and period is counted. One call per decision: {@link #check} reads every
 * counter of a call at once, {@link #add} adds a call's cost to all of them at once.
 * Implementations throw {@link BudgetStateUnavailableException} when the counters cannot be reached.
 */
public interface SpendLedger extends AutoCloseable {

    /**
     * The spend of each of {@code lines} (same order). When one is exhausted (spent &gt;= a non-zero
     * limit), {@link Check#exhausted} is the first such line's index and {@link Check#firstRefusal} says
     * whether this is the first time it was found exhausted in its period (across instances where shared).
     */
    Check check(List<BudgetLine> lines);

    /**
     * Adds {@code costNanos} to every line's counter, once per {@code requestId}. Returns the lines whose
     * spend reached {@code soft threshold × limit} for the first time in their period (the caller alerts).
     *
     * @param softAtNanos per line, the spend that triggers the soft alert (0: none)
     */
    List<BudgetLine> add(String requestId, List<BudgetLine> lines, long costNanos, long[] softAtNanos);

    @Override
    default void close() {
    }

    /** What {@link #check} found. */
    record Check(long[] spent, int exhausted, boolean firstRefusal) {
        public boolean refused() {
            return exhausted >= 0;
        }
    }
}
