package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsStoreTest {

    @TempDir
    Path tmp;

    @Test
    void putIfAbsentKeepsTheFirstValue() {
        try (Database db = Database.openSqlite(tmp)) {
            SettingsStore settings = new SettingsStore(db);
            assertThat(settings.get("x")).isEmpty();
            assertThat(settings.putIfAbsent("x", "one")).isEqualTo("one");
            assertThat(settings.putIfAbsent("x", "two")).isEqualTo("one");
            assertThat(settings.get("x")).contains("one");
        }
    }
}
