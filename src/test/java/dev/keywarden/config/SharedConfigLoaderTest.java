package dev.keywarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedConfigLoaderTest {

    @TempDir
    Path dir;

    private KeywardenConfig load(Map<String, String> env) {
        return ConfigLoader.from(env, dir).load();
    }

    private static void assertOneLineError(Throwable e) {
        assertThat(e).isInstanceOf(ConfigException.class);
        assertThat(e.getMessage()).doesNotContain("\n");
    }

    @Test
    void defaultsAreEmbeddedSqliteAndInProcessState() {
        SharedConfig s = load(Map.of()).shared();
        assertThat(s.store()).isEqualTo(SharedConfig.Store.SQLITE);
        assertThat(s.postgres()).isFalse();
        assertThat(s.postgresUrl()).isEmpty();
        assertThat(s.postgresPoolSize()).isEqualTo(16);
        assertThat(s.state()).isEqualTo(SharedConfig.State.LOCAL);
        assertThat(s.redis()).isFalse();
        assertThat(s.redisUrl()).isEmpty();
        assertThat(s.onRedisFailure()).isEqualTo(SharedConfig.OnRedisFailure.FAIL_CLOSED);
        assertThat(s.instances()).isEqualTo(1);
    }

    @Test
    void postgresStoreWithUrlUserPasswordAndPoolSizeFromEnvironment() {
        String password = "pw-" + System.nanoTime();
        KeywardenConfig c = load(Map.of("KEYWARDEN_STORE", "postgres",
                "KEYWARDEN_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test?sslmode=disable",
                "KEYWARDEN_POSTGRES_USER", "keywarden", "KEYWARDEN_POSTGRES_PASSWORD", password,
                "KEYWARDEN_POSTGRES_POOL_SIZE", "4"));
        SharedConfig s = c.shared();
        assertThat(s.postgres()).isTrue();
        assertThat(s.postgresUrl()).contains("jdbc:postgresql://127.0.0.1:5432/test?sslmode=disable");
        assertThat(s.postgresUser()).contains("keywarden");
        assertThat(s.postgresPassword()).get().extracting(Secret::reveal).isEqualTo(password);
        assertThat(s.postgresPoolSize()).isEqualTo(4);
        assertThat(c.toString()).doesNotContain(password);
    }

    @Test
    void postgresStoreWithoutUrlNamesTheSettingAndTheFix() {
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_STORE", "postgres")))
                .satisfies(SharedConfigLoaderTest::assertOneLineError)
                .hasMessageStartingWith("postgres.url (KEYWARDEN_POSTGRES_URL): required with store: postgres")
                .hasMessageContaining("jdbc:postgresql://");
    }

    @Test
    void passwordInThePostgresUrlIsRefusedWithoutQuotingIt() {
        String password = "hunter-" + System.nanoTime();
        for (String url : new String[] {"jdbc:postgresql://db:5432/kw?user=kw&password=" + password,
                "jdbc:postgresql://db:5432/kw?PASSWORD=" + password,
                "jdbc:postgresql://kw:" + password + "@db:5432/kw"}) {
            assertThatThrownBy(() -> load(Map.of("KEYWARDEN_STORE", "postgres", "KEYWARDEN_POSTGRES_URL", url)))
                    .satisfies(SharedConfigLoaderTest::assertOneLineError)
                    .hasMessageStartingWith("postgres.url (KEYWARDEN_POSTGRES_URL): must not contain")
                    .hasMessageContaining("KEYWARDEN_POSTGRES_PASSWORD")
                    .hasMessageNotContaining(password);
        }
    }

    @Test
    void postgresUrlOfAnotherShapeIsRefused() {
        for (String url : new String[] {"postgres://db/kw", "jdbc:mysql://db/kw", "jdbc:postgresql:kw", "jdbc:postgresql:///kw"}) {
            assertThatThrownBy(() -> load(Map.of("KEYWARDEN_STORE", "postgres", "KEYWARDEN_POSTGRES_URL", url)))
                    .satisfies(SharedConfigLoaderTest::assertOneLineError)
                    .hasMessageContaining("must be a JDBC URL such as jdbc:postgresql://");
        }
    }

    @Test
    void unknownStoreAndStateNameTheChoices() {
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_STORE", "mysql")))
                .satisfies(SharedConfigLoaderTest::assertOneLineError)
                .hasMessage("store (KEYWARDEN_STORE): 'mysql' must be sqlite (embedded, one host) or postgres (shared by many instances)");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_STATE", "memcached")))
                .satisfies(SharedConfigLoaderTest::assertOneLineError)
                .hasMessageStartingWith("state (KEYWARDEN_STATE): 'memcached' must be local");
    }

    @Test
    void redisStateDefaultsToLoopbackRedisAndFailClosed() {
        KeywardenConfig c = load(Map.of("KEYWARDEN_STATE", "redis"));
        assertThat(c.shared().redis()).isTrue();
        assertThat(c.shared().redisUrl()).get().hasToString("redis://127.0.0.1:6379");
        assertThat(c.shared().onRedisFailure()).isEqualTo(SharedConfig.OnRedisFailure.FAIL_CLOSED);
        assertThat(c.notices()).anySatisfy(n -> assertThat(n).contains("redis.on_failure fail-closed"));
    }

    @Test
    void localFallbackAndInstanceCountFromYaml() throws IOException {
        Path yaml = Files.writeString(dir.resolve("k.yaml"), """
                state: redis
                redis:
                  url: rediss://cache.internal:6380/2
                  on_failure: local-fallback
                cluster:
                  instances: 3
                """);
        KeywardenConfig c = ConfigLoader.from(Map.of(), dir).configFile(yaml).load();
        assertThat(c.shared().redisUrl()).get().hasToString("rediss://cache.internal:6380/2");
        assertThat(c.shared().onRedisFailure()).isEqualTo(SharedConfig.OnRedisFailure.LOCAL_FALLBACK);
        assertThat(c.shared().instances()).isEqualTo(3);
        assertThat(c.notices()).anySatisfy(n -> assertThat(n).contains("divided by 3 (cluster.instances)"));
    }

    @Test
    void passwordInTheRedisUrlIsRefusedWithoutQuotingIt() {
        String password = "redispw" + System.nanoTime();
        for (String url : new String[] {"redis://:" + password + "@127.0.0.1:6379", "redis://" + password + "@127.0.0.1:6379",
                "redis://127.0.0.1:6379?password=" + password}) {
            assertThatThrownBy(() -> load(Map.of("KEYWARDEN_STATE", "redis", "KEYWARDEN_REDIS_URL", url)))
                    .satisfies(SharedConfigLoaderTest::assertOneLineError)
                    .hasMessageStartingWith("redis.url (KEYWARDEN_REDIS_URL): must not contain")
                    .hasMessageContaining("KEYWARDEN_REDIS_PASSWORD")
                    .hasMessageNotContaining(password);
        }
    }

    @Test
    void redisPasswordComesFromItsOwnSecretSetting() {
        String password = "redispw" + System.nanoTime();
        KeywardenConfig c = load(Map.of("KEYWARDEN_STATE", "redis", "KEYWARDEN_REDIS_PASSWORD", password));
        assertThat(c.shared().redisPassword()).get().extracting(Secret::reveal).isEqualTo(password);
        assertThat(c.toString()).doesNotContain(password);
    }

    @Test
    void badRedisUrlOnFailureAndCountsNameTheSetting() {
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_STATE", "redis", "KEYWARDEN_REDIS_URL", "http://127.0.0.1:6379")))
                .satisfies(SharedConfigLoaderTest::assertOneLineError)
                .hasMessageContaining("redis.url (KEYWARDEN_REDIS_URL): 'http://127.0.0.1:6379' must be a URL such as redis://");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_REDIS_ON_FAILURE", "fail-open")))
                .satisfies(SharedConfigLoaderTest::assertOneLineError)
                .hasMessageStartingWith("redis.on_failure (KEYWARDEN_REDIS_ON_FAILURE): 'fail-open' must be fail-closed");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_CLUSTER_INSTANCES", "0")))
                .satisfies(SharedConfigLoaderTest::assertOneLineError)
                .hasMessage("cluster.instances (KEYWARDEN_CLUSTER_INSTANCES): '0' must be greater than 0");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_POSTGRES_POOL_SIZE", "many")))
                .satisfies(SharedConfigLoaderTest::assertOneLineError)
                .hasMessage("postgres.pool_size (KEYWARDEN_POSTGRES_POOL_SIZE): 'many' must be a whole number");
    }

    @Test
    void postgresWithoutAServerSecretWarnsThatEveryInstanceNeedsTheSameOne() {
        KeywardenConfig c = load(Map.of("KEYWARDEN_STORE", "postgres", "KEYWARDEN_POSTGRES_URL", "jdbc:postgresql://db/kw"));
        assertThat(c.notices()).anySatisfy(n -> assertThat(n).startsWith("WARN store is postgres but server_secret"));
    }

    @Test
    void settingsForAnUnusedBackendOnlyWarn() {
        KeywardenConfig c = load(Map.of("KEYWARDEN_POSTGRES_URL", "jdbc:postgresql://db/kw", "KEYWARDEN_REDIS_URL", "redis://r:6379"));
        assertThat(c.shared().postgres()).isFalse();
        assertThat(c.notices()).anySatisfy(n -> assertThat(n).startsWith("WARN postgres.url is set but store is sqlite"));
        assertThat(c.notices()).anySatisfy(n -> assertThat(n).startsWith("WARN redis.url is set but state is local"));
    }
}
