package dev.keywarden.limits.budget;

import static dev.keywarden.store.Jdbc.getNullableLong;
import static dev.keywarden.store.Jdbc.nullableLong;

import dev.keywarden.store.Database;
import dev.keywarden.store.Jdbc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code budgets} table (limits an operator set for one principal or virtual key) and the
 * {@code budget_spend} table (spend per budget and period in local mode). Every method is one short
 * statement (or one transaction) and fails with a {@code StoreException} naming the operation.
 */
public final class BudgetStore {

    /** Which table row an explicit budget belongs to: a principal (teams included) or a virtual key. */
    public enum Owner {
        PRINCIPAL, KEY;

        String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Jdbc jdbc;

    public BudgetStore(Database database) {
        this.jdbc = database.jdbc();
    }

    /** Sets (or replaces) the explicit budget of one principal or key; a null limit falls back to the tier. */
    public void set(Owner owner, String subjectId, Allowance allowance, long now) {
        jdbc.update("store a budget",
                "INSERT INTO budgets (scope, subject_id, daily_nano_usd, monthly_nano_usd, updated_at) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (scope, subject_id) DO UPDATE SET daily_nano_usd = excluded.daily_nano_usd,"
                        + " monthly_nano_usd = excluded.monthly_nano_usd, updated_at = excluded.updated_at",
                owner.column(), subjectId, nullableLong(allowance.dailyNanos()), nullableLong(allowance.monthlyNanos()), now);
    }

    /** Removes an explicit budget (the tier's default applies again); true when there was one. */
    public boolean clear(Owner owner, String subjectId) {
        return jdbc.update("remove a budget", "DELETE FROM budgets WHERE scope = ? AND subject_id = ?",
                owner.column(), subjectId) > 0;
    }

    /** Every explicit budget, keyed {@code principal:<id>} or {@code key:<id>}. */
    public Map<String, Allowance> all() {
        return toMap(jdbc.query("read budgets", "SELECT scope, subject_id, daily_nano_usd, monthly_nano_usd FROM budgets",
                rs -> Map.entry(rs.getString(1) + ":" + rs.getString(2),
                        new Allowance(getNullableLong(rs, 3), getNullableLong(rs, 4)))));
    }

    /** Adds {@code deltas} (counter to nano-dollars, with each counter's period end) in one transaction. */
    public void addSpend(Map<String, long[]> deltas) {
        jdbc.batch("record budget spend", "INSERT INTO budget_spend (counter, period_end, spent_nano_usd) VALUES (?, ?, ?)"
                        + " ON CONFLICT (counter) DO UPDATE SET spent_nano_usd = budget_spend.spent_nano_usd + excluded.spent_nano_usd",
                deltas.entrySet(), e -> new Object[] {e.getKey(), e.getValue()[1], e.getValue()[0]});
    }

    /** Spend of every counter whose period ends after {@code now}: counter to {spent, period end}. */
    public Map<String, long[]> currentSpend(long now) {
        return toMap(jdbc.query("read budget spend",
                "SELECT counter, spent_nano_usd, period_end FROM budget_spend WHERE period_end > ?",
                rs -> Map.entry(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)}), now));
    }

    /** Deletes counters of periods that ended before {@code before}. */
    public int deleteEnded(long before) {
        return jdbc.update("delete old budget spend", "DELETE FROM budget_spend WHERE period_end < ?", before);
    }

    private static <V> Map<String, V> toMap(List<Map.Entry<String, V>> rows) {
        Map<String, V> out = new HashMap<>();
        rows.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
