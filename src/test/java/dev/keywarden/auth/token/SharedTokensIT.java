package dev.keywarden.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import dev.keywarden.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tokens in shared mode: two gateway instances on one PostgreSQL schema (and Redis for state). A
 * token's uses are spent by one conditional UPDATE in PostgreSQL, so parallel calls split across both
 * instances admit exactly {@code max_uses}; a revocation made on one instance refuses the next call on
 * the other. Skipped unless PostgreSQL and Redis answer (fails instead with KEYWARDEN_REQUIRE_SERVICES=1).
 */
class SharedTokensIT {

    static TestDatabases postgres;
    static String serverSecret;

    @BeforeAll
    static void start() {
        Services.assumePostgres();
        Services.assumeRedis();
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
                "KEYWARDEN_POSTGRES_POOL_SIZE", "8", "KEYWARDEN_SERVER_SECRET", serverSecret));
        env.put("KEYWARDEN_STATE", "redis");
        env.put("KEYWARDEN_REDIS_URL", Services.redisUrl().toString());
        return env;
    }

    @Test
    void twentyParallelCallsSplitAcrossTwoInstancesAdmitExactlyMaxUses() throws Exception {
        try (TestGateway first = TestGateway.start(sharedEnv());
             TestGateway second = TestGateway.start(sharedEnv())) {
            JsonNode minted = TokensIT.mint(first, first.virtualKey, "{\"max_uses\":5}", 201);
            String token = minted.get("token").asText();

            int calls = 20;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(calls);
            List<Future<HttpResponse<byte[]>>> results = new ArrayList<>();
            try {
                for (int i = 0; i < calls; i++) {
                    TestGateway target = i % 2 == 0 ? first : second;
                    results.add(pool.submit(() -> {
                        go.await();
                        return TokensIT.messages(target, token, "m", 10);
                    }));
                }
                go.countDown();
                int ok = 0;
                int exhausted = 0;
                for (Future<HttpResponse<byte[]>> f : results) {
                    HttpResponse<byte[]> r = f.get();
                    if (r.statusCode() == 200) {
                        ok++;
                    } else {
                        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(401);
                        assertThat(TokensIT.error(r).get("message").asText()).contains("exhausted");
                        exhausted++;
                    }
                }
                assertThat(ok).as("admitted across both instances").isEqualTo(5);
                assertThat(exhausted).isEqualTo(15);
            } finally {
                pool.shutdownNow();
            }
            assertThat(first.upstream.requestCount() + second.upstream.requestCount()).isEqualTo(5);
            assertThat(second.gateway.tokens().find(minted.get("id").asText()).orElseThrow().uses()).isEqualTo(5);
        }
    }

    @Test
    void aRevocationOnOneInstanceRefusesTheNextCallOnTheOther() throws Exception {
        try (TestGateway first = TestGateway.start(sharedEnv());
             TestGateway second = TestGateway.start(sharedEnv())) {
            JsonNode minted = TokensIT.mint(second, second.virtualKey, "{}", 201);
            String token = minted.get("token").asText();
            assertThat(TokensIT.messages(first, token, "m", 10).statusCode()).isEqualTo(200);
            assertThat(TokensIT.messages(second, token, "m", 10).statusCode()).isEqualTo(200);

            assertThat(first.gateway.tokens().revoke(minted.get("id").asText(), "test")).isTrue();

            HttpResponse<byte[]> onSecond = TokensIT.messages(second, token, "m", 10);
            assertThat(onSecond.statusCode()).isEqualTo(401);
            assertThat(TokensIT.error(onSecond).get("message").asText()).isEqualTo("this token was revoked");
            assertThat(TokensIT.messages(first, token, "m", 10).statusCode()).isEqualTo(401);

            JsonNode other = TokensIT.mint(first, first.virtualKey, "{}", 201);
            assertThat(TokensIT.messages(second, other.get("token").asText(), "m", 10).statusCode()).isEqualTo(200);
            second.gateway.tokens().revokeByPrincipal("test-client", "test");
            assertThat(TokensIT.messages(first, other.get("token").asText(), "m", 10).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aUsersTokenWorksOnBothInstancesUntilTheUserIsDisabledOnOne() throws Exception {
        try (TestGateway first = TestGateway.start(sharedEnv());
             TestGateway second = TestGateway.start(sharedEnv())) {
            dev.keywarden.users.User u = first.gateway.users().users().add(new dev.keywarden.users.UserService.NewUser(
                    "pg-page-" + System.nanoTime(), null, dev.keywarden.users.Role.USER, null, null, null),
                    "violet tractor anthem".toCharArray(), "test");
            TokenRequest request = TokenRequest.parse(new byte[0], first.gateway.tokens().policy());
            IssuedToken issued = first.gateway.tokens().mintForUser(u.id(), u.principalId(), request);
            assertThat(second.gateway.tokens().find(issued.id()).orElseThrow().issuerKeyId()).isEqualTo(u.id());
            assertThat(TokensIT.messages(second, issued.token(), "m", 10).statusCode()).isEqualTo(200);

            first.gateway.users().users().disable(u.id(), "test");

            HttpResponse<byte[]> refused = TokensIT.messages(second, issued.token(), "m", 10);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(TokensIT.error(refused).get("message").asText())
                    .isEqualTo("this token was revoked: the user it was issued to was disabled or deleted");
        }
    }
}
