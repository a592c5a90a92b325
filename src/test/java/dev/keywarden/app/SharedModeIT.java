package dev.keywarden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.state.StateException;
import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import dev.keywarden.testing.TestGateway;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The start of shared mode: gateways configured with {@code store: postgres} and
 * {@code state: redis} keep their virtual keys in PostgreSQL, so a key made through one instance
 * is accepted by another on the same database.
 */
class SharedModeIT {

    static TestDatabases postgres;
    static String serverSecret;

    @BeforeAll
    static void start() {
        postgres = TestDatabases.start(Dialect.POSTGRESQL);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        serverSecret = Base64.getEncoder().encodeToString(secret);
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Map<String, String> sharedEnv() {
        Map<String, String> env = new HashMap<>(Map.of("KEYWARDEN_STORE", "postgres",
                "KEYWARDEN_POSTGRES_URL", postgres.postgresUrl(), "KEYWARDEN_POSTGRES_USER", Services.postgresUser(),
                "KEYWARDEN_POSTGRES_POOL_SIZE", "4", "KEYWARDEN_SERVER_SECRET", serverSecret));
        env.put("KEYWARDEN_STATE", "redis");
        env.put("KEYWARDEN_REDIS_URL", Services.redisUrl().toString());
        return env;
    }

    @Test
    void aVirtualKeyMadeOnOneInstanceIsStoredInPostgresAndAcceptedByAnother() throws Exception {
        Services.assumeRedis();
        try (TestGateway first = TestGateway.start(sharedEnv());
             TestGateway second = TestGateway.start(sharedEnv())) {
            HttpResponse<byte[]> viaFirst = first.postMessages(TestGateway.messageBody("hello from one", false));
            assertThat(viaFirst.statusCode()).isEqualTo(200);

            try (Database db = postgres.reopen();
                 Connection c = db.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM virtual_keys WHERE name = 'test-client'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("both instances' keys are rows in the shared schema").isEqualTo(2);
            }
            assertThat(first.dataDir.resolve(Database.FILE_NAME)).as("no SQLite file in shared mode").doesNotExist();

            HttpResponse<byte[]> firstKeyOnSecond = second.send(HttpRequest.newBuilder(second.uri("/v1/messages"))
                    .header("x-api-key", first.virtualKey).header("anthropic-version", "2023-06-01")
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hello from two", false))).build());
            assertThat(firstKeyOnSecond.statusCode()).isEqualTo(200);
            assertThat(second.upstream.requestCount()).isEqualTo(1);

            JsonNode ready = new ObjectMapper().readTree(
                    second.send(HttpRequest.newBuilder(second.uri("/readyz")).GET().build()).body());
            assertThat(ready.at("/checks/store").asText()).isEqualTo("ok");
            assertThat(ready.at("/checks/redis").asText()).isEqualTo("ok");
        }
    }

    @Test
    void unreachableRedisStopsStartUpWithOneLineNamingTheSetting() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = sharedEnv();
        env.put("KEYWARDEN_REDIS_URL", "redis://127.0.0.1:" + port);
        env.put("KEYWARDEN_LISTEN", "127.0.0.1:0");
        env.put("KEYWARDEN_ADMIN_LISTEN", "off");
        env.put("ANTHROPIC_API_KEY", dev.keywarden.testing.TestKeys.fakeProviderKey());
        Path dir = Files.createTempDirectory("kw-shared-");
        assertThatThrownBy(() -> GatewayApp.start(ConfigLoader.from(env, dir).load(), List.of()))
                .isInstanceOf(StateException.class)
                .hasMessageStartingWith("redis.url: cannot reach redis://127.0.0.1:" + port + " (")
                .hasMessageEndingWith("): start Redis or set state: local");
    }
}
