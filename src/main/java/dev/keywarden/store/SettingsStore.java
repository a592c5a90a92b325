package dev.keywarden.store;

import java.util.Optional;

/**
 * Small named values in {@code keywarden_settings} that every process sharing the database must
 * agree on. Values are written once ({@link #putIfAbsent}) and then only read.
 */
public final class SettingsStore {

    private final Database database;
    private final Jdbc jdbc;

    public SettingsStore(Database database) {
        this.database = database;
        this.jdbc = database.jdbc();
    }

    /** The value stored under {@code name}, if any. */
    public Optional<String> get(String name) {
        return jdbc.queryOne("read setting " + name, "SELECT value FROM keywarden_settings WHERE name = ?",
                rs -> rs.getString(1), name);
    }

    /**
     * Stores {@code value} under {@code name} unless a value is already there.
     *
     * @return the value now stored: {@code value}, or the one another caller stored first
     */
    public String putIfAbsent(String name, String value) {
        jdbc.update("write setting " + name,
                "INSERT INTO keywarden_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, value);
        return get(name).orElseThrow(() -> database.failure("read back setting " + name,
                new IllegalStateException("the value just written is missing")));
    }
}
