package dev.keywarden.limits.budget;

import dev.keywarden.store.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
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

    private final Database database;

    public BudgetStore(Database database) {
        this.database = database;
    }

    /** Sets (or replaces) the explicit budget of one principal or key; a null limit falls back to the tier. */
    public void set(Owner owner, String subjectId, Allowance allowance, long now) {
        String sql = "INSERT INTO budgets (scope, subject_id, daily_nano_usd, monthly_nano_usd, updated_at) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (scope, subject_id) DO UPDATE SET daily_nano_usd = excluded.daily_nano_usd,"
                + " monthly_nano_usd = excluded.monthly_nano_usd, updated_at = excluded.updated_at";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, owner.column());
            ps.setString(2, subjectId);
            setNullable(ps, 3, allowance.dailyNanos());
            setNullable(ps, 4, allowance.monthlyNanos());
            ps.setLong(5, now);
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure("store a budget", e);
        }
    }

    /** Removes an explicit budget (the tier's default applies again); true when there was one. */
    public boolean clear(Owner owner, String subjectId) {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM budgets WHERE scope = ? AND subject_id = ?")) {
            ps.setString(1, owner.column());
            ps.setString(2, subjectId);
            return ps.executeUpdate() > 0;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("remove a budget", e);
        }
    }

    /** Every explicit budget, keyed {@code principal:<id>} or {@code key:<id>}. */
    public Map<String, Allowance> all() {
        Map<String, Allowance> out = new HashMap<>();
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT scope, subject_id, daily_nano_usd, monthly_nano_usd FROM budgets");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1) + ":" + rs.getString(2), new Allowance(nullable(rs, 3), nullable(rs, 4)));
            }
            return out;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("read budgets", e);
        }
    }

    /** Adds {@code deltas} (counter to nano-dollars, with each counter's period end) in one transaction. */
    public void addSpend(Map<String, long[]> deltas) {
        String sql = "INSERT INTO budget_spend (counter, period_end, spent_nano_usd) VALUES (?, ?, ?)"
                + " ON CONFLICT (counter) DO UPDATE SET spent_nano_usd = budget_spend.spent_nano_usd + excluded.spent_nano_usd";
        try (Connection c = database.dataSource().getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (Map.Entry<String, long[]> e : deltas.entrySet()) {
                    ps.setString(1, e.getKey());
                    ps.setLong(2, e.getValue()[1]);
                    ps.setLong(3, e.getValue()[0]);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("record budget spend", e);
        }
    }

    /** Spend of every counter whose period ends after {@code now}: counter to {spent, period end}. */
    public Map<String, long[]> currentSpend(long now) {
        Map<String, long[]> out = new HashMap<>();
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT counter, spent_nano_usd, period_end FROM budget_spend WHERE period_end > ?")) {
            ps.setLong(1, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new long[]{rs.getLong(2), rs.getLong(3)});
                }
            }
            return out;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("read budget spend", e);
        }
    }

    /** Deletes counters of periods that ended before {@code before}. */
    public int deleteEnded(long before) {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM budget_spend WHERE period_end < ?")) {
            ps.setLong(1, before);
            return ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure("delete old budget spend", e);
        }
    }

    private static void setNullable(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    private static Long nullable(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }
}
