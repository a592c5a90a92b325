package dev.keywarden.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Small named values in {@code keywarden_settings} that every process sharing the database must
 * agree on. Values are written once ({@link #putIfAbsent}) and then only read.
 */
public final class SettingsStore {

    private final Database database;

    public SettingsStore(Database database) {
        this.database = database;
    }

    /** The value stored under {@code name}, if any. */
    public Optional<String> get(String name) {
        String sql = "SELECT value FROM keywarden_settings WHERE name = ?";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("read setting " + name, e);
        }
    }

    /**
     * Stores {@code value} under {@code name} unless a value is already there.
     *
     * @return the value now stored: {@code value}, or the one another caller stored first
     */
    public String putIfAbsent(String name, String value) {
        String sql = "INSERT INTO keywarden_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, value);
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure("write setting " + name, e);
        }
        return get(name).orElseThrow(() -> database.failure("read back setting " + name,
                new IllegalStateException("the value just written is missing")));
    }
}
