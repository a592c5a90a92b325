package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL-only guarantees of {@link Database#openPostgres} and {@link Database#open}. */
class PostgresDatabaseTest {

    static TestDatabases backend;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        backend = TestDatabases.start(Dialect.POSTGRESQL);
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void unreachableServerNamesTheUrlAndTheFixInOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/keywarden";
        assertThatThrownBy(() -> Database.openPostgres(url, "kw", "pw-not-shown-" + port, 2))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot open the Keywarden database PostgreSQL " + url + ": ")
                .hasMessageContaining("start PostgreSQL")
                .hasMessageNotContaining("pw-not-shown")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void missingDatabaseIsNamedByTheServerMessage() {
        String url = Services.postgresUrl().replaceFirst("/[^/?]+(\\?|$)", "/kw_no_such_db$1");
        assertThatThrownBy(() -> Database.openPostgres(url, Services.postgresUser(), null, 1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("kw_no_such_db")
                .hasMessageContaining("does not exist");
    }

    @Test
    void duplicateRowErrorDoesNotQuoteTheRowValues() {
        String hash = "feedface".repeat(8);
        try (Database db = backend.fresh()) {
            VirtualKeyStore store = new VirtualKeyStore(db);
            store.insert(new VirtualKeyRecord("vk_1", "a", "kw_AAAAAAAA", hash, 1L, null, null));
            assertThatThrownBy(() -> store.insert(new VirtualKeyRecord("vk_2", "b", "kw_BBBBBBBB", hash, 1L, null, null)))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("duplicate key")
                    .hasMessageNotContaining(hash);
        }
    }

    @Test
    void poolNeverExceedsTheConfiguredSize() {
        try (Database db = Database.openPostgres(backend.postgresUrl(), Services.postgresUser(), null, 3)) {
            assertThat(((HikariDataSource) db.dataSource()).getMaximumPoolSize()).isEqualTo(3);
        }
    }

    @Test
    void instancesStartingTogetherMigrateTheSchemaOnce() throws Exception {
        String schema = backend.schema() + "_race";
        TestDatabases.admin("CREATE SCHEMA " + schema);
        String url = Services.postgresUrl() + (Services.postgresUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Database> opened = new ArrayList<>();
        try {
            List<Future<Database>> starts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                starts.add(pool.submit(() -> Database.openPostgres(url, Services.postgresUser(), null, 2)));
            }
            for (Future<Database> f : starts) {
                opened.add(f.get());
            }
            new SettingsStore(opened.get(0)).putIfAbsent("k", "v");
            assertThat(new SettingsStore(opened.get(2)).get("k")).contains("v");
        } finally {
            pool.shutdownNow();
            opened.forEach(Database::close);
            TestDatabases.admin("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void openWithConfigChoosesPostgresWhenTheStoreIsPostgres() {
        KeywardenConfig config = ConfigLoader.from(Map.of("KEYWARDEN_STORE", "postgres",
                "KEYWARDEN_POSTGRES_URL", backend.postgresUrl(), "KEYWARDEN_POSTGRES_USER", Services.postgresUser(),
                "KEYWARDEN_POSTGRES_POOL_SIZE", "2"), tmp).load();
        try (Database db = Database.open(config)) {
            assertThat(db.dialect()).isEqualTo(Dialect.POSTGRESQL);
            assertThat(db.isHealthy()).isTrue();
        }
        try (Database db = Database.open(ConfigLoader.from(Map.of(), tmp).load())) {
            assertThat(db.dialect()).isEqualTo(Dialect.SQLITE);
            assertThat(db.location()).isEqualTo(tmp.resolve("data").resolve(Database.FILE_NAME).toString());
        }
    }
}
