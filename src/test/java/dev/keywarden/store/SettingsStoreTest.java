package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import dev.keywarden.testing.TestDatabases;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass(name = "{0}")
@EnumSource(Dialect.class)
class SettingsStoreTest {

    static TestDatabases backend;

    @Parameter
    Dialect dialect;

    @BeforeParameterizedClassInvocation
    static void startBackend(Dialect dialect) {
        backend = TestDatabases.start(dialect);
    }

    @AfterParameterizedClassInvocation
    static void stopBackend() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }


    @Test
    void putIfAbsentKeepsTheFirstValue() {
        try (Database db = backend.fresh()) {
            SettingsStore settings = new SettingsStore(db);
            assertThat(settings.get("x")).isEmpty();
            assertThat(settings.putIfAbsent("x", "one")).isEqualTo("one");
            assertThat(settings.putIfAbsent("x", "two")).isEqualTo("one");
            assertThat(settings.get("x")).contains("one");
        }
    }

    @Test
    void aSecondProcessSeesTheFirstValue() {
        try (Database first = backend.fresh(); Database second = backend.reopen()) {
            new SettingsStore(first).putIfAbsent("check", "a");
            assertThat(new SettingsStore(second).putIfAbsent("check", "b")).isEqualTo("a");
        }
    }
}
