package dev.keywarden.limits;

import static dev.keywarden.limits.LimitsIT.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import dev.keywarden.testing.TestGateway;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances sharing PostgreSQL (principals, keys) and Redis (limit state): limits hold
 * across both, as if there were one gateway.
 */
class SharedLimitsIT {

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

    static Map<String, String> sharedEnv(String... more) {
        Map<String, String> env = new HashMap<>(LimitsIT.limitsOn(more));
        env.put("KEYWARDEN_STORE", "postgres");
        env.put("KEYWARDEN_POSTGRES_URL", postgres.postgresUrl());
        env.put("KEYWARDEN_POSTGRES_USER", Services.postgresUser());
        env.put("KEYWARDEN_POSTGRES_POOL_SIZE", "4");
        env.put("KEYWARDEN_SERVER_SECRET", serverSecret);
        env.put("KEYWARDEN_STATE", "redis");
        env.putIfAbsent("KEYWARDEN_REDIS_URL", Services.redisUrl().toString());
        return env;
    }

    /** A fresh principal (so Redis buckets of other tests do not interfere) with one key on each instance. */
    record Pair(Principal principal, String keyOnFirst, String keyOnSecond) { }

    static Pair principalWithKeys(TestGateway first, TestGateway second, String tier) {
        PrincipalService principals = first.gateway.virtualKeys().principals();
        Principal p = principals.create("p-" + Long.toHexString(new SecureRandom().nextLong()), Principal.Kind.USER, tier, null);
        return new Pair(p, first.gateway.virtualKeys().create("k1", p.id()).key(),
                second.gateway.virtualKeys().create("k2", p.id()).key());
    }

    @Test
    void tenRequestsPerMinuteAdmitExactlyTenAcrossBothInstances() throws Exception {
        Services.assumeRedis();
        try (TestGateway first = TestGateway.start(sharedEnv()); TestGateway second = TestGateway.start(sharedEnv())) {
            Pair pair = principalWithKeys(first, second, "free");
            int admitted = 0;
            long lastRemaining = 10;
            for (int i = 0; i < 16; i++) {
                boolean onFirst = i % 2 == 0;
                HttpResponse<byte[]> r = call(onFirst ? first : second, onFirst ? pair.keyOnFirst() : pair.keyOnSecond(),
                        TestGateway.messageBody("n" + i, false));
                if (r.statusCode() == 200) {
                    admitted++;
                    String state = r.headers().firstValue("RateLimit").orElseThrow();
                    long remaining = Long.parseLong(state.replaceAll("^\"requests\";r=(\\d+);.*$", "$1"));
                    assertThat(remaining).as("one shared counter").isLessThan(lastRemaining);
                    lastRemaining = remaining;
                } else {
                    assertThat(r.statusCode()).isEqualTo(429);
                    assertThat(r.headers().firstValue("retry-after")).isPresent();
                }
            }
            assertThat(admitted).isEqualTo(10);
            assertThat(first.upstream.requestCount() + second.upstream.requestCount()).isEqualTo(10);
        }
    }

    @Test
    void overshootCorrectedOnOneInstanceRefusesTheNextRequestOnTheOther() throws Exception {
        Services.assumeRedis();
        String[] tiny = {"KEYWARDEN_TIERS_TINY_OUTPUT_TOKENS_PER_MINUTE", "100", "KEYWARDEN_TIERS_TINY_REQUESTS_PER_MINUTE", "100"};
        try (TestGateway first = TestGateway.start(sharedEnv(tiny)); TestGateway second = TestGateway.start(sharedEnv(tiny))) {
            Pair pair = principalWithKeys(first, second, "tiny");
            String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"fake:slow go\"}]}";
            HttpResponse<byte[]> streamed = call(first, pair.keyOnFirst(), body);
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.headers().firstValue("RateLimit-Policy").orElseThrow())
                    .isEqualTo("\"requests\";q=100;w=60, \"output-tokens\";q=100;w=60");
            first.awaitRecord(r -> r.status() == 200);
            HttpResponse<byte[]> next = call(second, pair.keyOnSecond(), TestGateway.messageBody("next", false));
            assertThat(next.statusCode()).isEqualTo(429);
            assertThat(next.headers().firstValue("RateLimit").orElseThrow()).contains("\"output-tokens\";r=0;");
            assertThat(Long.parseLong(next.headers().firstValue("retry-after").orElseThrow())).isBetween(55L, 62L);
        }
    }

    @Test
    void suspensionAndTierChangeApplyOnBothInstancesWithinOneSecond() throws Exception {
        Services.assumeRedis();
        try (TestGateway first = TestGateway.start(sharedEnv()); TestGateway second = TestGateway.start(sharedEnv())) {
            Pair pair = principalWithKeys(first, second, "free");
            assertThat(call(second, pair.keyOnSecond(), TestGateway.messageBody("warm", false)).statusCode()).isEqualTo(200);
            first.gateway.virtualKeys().principals().suspend(pair.principal().id());
            assertThat(call(first, pair.keyOnFirst(), TestGateway.messageBody("a", false)).statusCode()).isEqualTo(403);
            Thread.sleep(PrincipalService.CURRENT_TTL.toMillis() + 50);
            assertThat(call(second, pair.keyOnSecond(), TestGateway.messageBody("b", false)).statusCode()).isEqualTo(403);

            first.gateway.virtualKeys().principals().resume(pair.principal().id());
            first.gateway.virtualKeys().principals().setTier(pair.principal().id(), "pro");
            Thread.sleep(PrincipalService.CURRENT_TTL.toMillis() + 50);
            HttpResponse<byte[]> onSecond = call(second, pair.keyOnSecond(), TestGateway.messageBody("c", false));
            assertThat(onSecond.statusCode()).isEqualTo(200);
            assertThat(onSecond.headers().firstValue("RateLimit-Policy").orElseThrow()).startsWith("\"requests\";q=50;w=60");
        }
    }

    @Test
    void lockoutAfterBadKeysOnOneInstanceHoldsOnTheOther() throws Exception {
        Services.assumeRedis();
        try (TestGateway first = TestGateway.start(sharedEnv()); TestGateway second = TestGateway.start(sharedEnv())) {
            // lock a random loopback address (not 127.0.0.1, which other tests use; a fresh one per run, as the
            // lockout outlives the test in the shared Redis)
            SecureRandom random = new SecureRandom();
            String address = "127." + (1 + random.nextInt(250)) + "." + random.nextInt(250) + "." + (2 + random.nextInt(250));
            String bad = "kw_" + "y".repeat(40);
            for (int i = 0; i < 5; i++) {
                assertThat(LimitsIT.rawStatusFrom(address, first, bad)).isEqualTo(401);
            }
            assertThat(LimitsIT.rawStatusFrom(address, second, second.virtualKey)).isEqualTo(429);
            assertThat(call(second, second.virtualKey, TestGateway.messageBody("from 127.0.0.1", false)).statusCode()).isEqualTo(200);
        }
    }
}
