package dev.keywarden.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

/**
 * Writes batched last-use times of keys (id to epoch millis) into a table's {@code last_used_at}
 * column in one transaction. Guarantee: a time never moves backwards, so several gateway processes
 * flushing in any order leave the latest one.
 */
final class LastUsedTimes {

    private LastUsedTimes() {
    }

    /** @param table a fixed table name from the caller (never user input) with {@code id} and {@code last_used_at} */
    static void update(Database database, String table, String what, Map<String, Long> lastUsedById) {
        if (lastUsedById.isEmpty()) {
            return;
        }
        String sql = "UPDATE " + table + " SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)";
        try (Connection c = database.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (Map.Entry<String, Long> e : lastUsedById.entrySet()) {
                    ps.setLong(1, e.getValue());
                    ps.setString(2, e.getKey());
                    ps.setLong(3, e.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("record when " + what + " were last used", e);
        }
    }
}
