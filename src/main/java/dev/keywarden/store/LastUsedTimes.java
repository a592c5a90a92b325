package dev.keywarden.store;

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
    static void update(Jdbc jdbc, String table, String what, Map<String, Long> lastUsedById) {
        if (lastUsedById.isEmpty()) {
            return;
        }
        String sql = "UPDATE " + table + " SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)";
        jdbc.batch("record when " + what + " were last used", sql, lastUsedById.entrySet(),
                e -> new Object[] {e.getValue(), e.getKey(), e.getValue()});
    }
}
