package dev.keywarden.limits.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import dev.keywarden.testing.TestGateway;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances sharing PostgreSQL (principals, budgets) and Redis (spend counters): a budget
 * holds across both; while Redis is down budgets fail closed; after it returns nothing is counted twice.
 */
class SharedBudgetsIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static TestDatabases postgres;
    static String serverSecret;
    Process redis;
    int port;
    Path redisDir;

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

    @AfterEach
    void stopPrivateRedis() throws Exception {
        if (redis != null && redis.isAlive()) {
            stopRedis();
        }
    }

    static Map<String, String> sharedEnv(String redisUrl, String tinyDailyUsd) {
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARDEN_STORE", "postgres");
        env.put("KEYWARDEN_POSTGRES_URL", postgres.postgresUrl());
        env.put("KEYWARDEN_POSTGRES_USER", Services.postgresUser());
        env.put("KEYWARDEN_POSTGRES_POOL_SIZE", "4");
        env.put("KEYWARDEN_SERVER_SECRET", serverSecret);
        env.put("KEYWARDEN_STATE", "redis");
        env.put("KEYWARDEN_REDIS_URL", redisUrl);
        env.put("KEYWARDEN_TIERS_TINY_DAILY_BUDGET_USD", tinyDailyUsd);
        return env;
    }

    /** A fresh principal on tier tiny (so counters of other runs do not interfere) with one key on each instance. */
    record Pair(Principal principal, String keyOnFirst, String keyOnSecond) { }

    static Pair principalWithKeys(TestGateway first, TestGateway second) {
        PrincipalService principals = first.gateway.virtualKeys().principals();
        Principal p = principals.create("b-" + Long.toHexString(new SecureRandom().nextLong()), Principal.Kind.USER, "tiny", null);
        return new Pair(p, first.gateway.virtualKeys().create("k1", p.id()).key(),
                second.gateway.virtualKeys().create("k2", p.id()).key());
    }

    static HttpResponse<byte[]> call(TestGateway gw, String key, String body) throws Exception {
        return gw.send(request(gw, key, body));
    }

    static HttpRequest request(TestGateway gw, String key, String body) {
        return HttpRequest.newBuilder(gw.uri("/v1/messages")).header("x-api-key", key)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void spentBudgetStopsThePrincipalOnBothInstances() throws Exception {
        Services.assumeRedis();
        String url = Services.redisUrl().toString();
        try (TestGateway first = TestGateway.start(sharedEnv(url, "0.0001")); TestGateway second = TestGateway.start(sharedEnv(url, "0.0001"))) {
            Pair pair = principalWithKeys(first, second);
            assertThat(call(first, pair.keyOnFirst(), TestGateway.messageBody("spend", false)).statusCode()).isEqualTo(200);
            first.awaitRecord(r -> r.status() == 200 && pair.principal().id().equals(r.identity().principalId()));
            HttpResponse<byte[]> onSecond = call(second, pair.keyOnSecond(), TestGateway.messageBody("other instance", false));
            assertThat(onSecond.statusCode()).isEqualTo(402);
            assertThat(JSON.readTree(onSecond.body()).at("/error/type").asText()).isEqualTo("billing_error");
            assertThat(JSON.readTree(onSecond.body()).at("/error/message").asText()).contains("daily budget of principal "
                    + pair.principal().name());
            assertThat(call(first, pair.keyOnFirst(), TestGateway.messageBody("same instance", false)).statusCode()).isEqualTo(402);
            assertThat(second.upstream.requestCount()).as("refused on the instance that never served the principal").isZero();
        }
    }

    @Test
    void redisOutageRefusesWithAClearErrorAndAfterItReturnsNothingIsCountedTwice() throws Exception {
        startRedis();
        String url = "redis://127.0.0.1:" + port;
        try (TestGateway first = TestGateway.start(sharedEnv(url, "0.0005")); TestGateway second = TestGateway.start(sharedEnv(url, "0.0005"))) {
            Pair pair = principalWithKeys(first, second);
            String id = pair.principal().id();
            assertThat(call(first, pair.keyOnFirst(), TestGateway.messageBody("before", false)).statusCode()).isEqualTo(200);
            first.awaitRecord(r -> r.status() == 200 && id.equals(r.identity().principalId()));

            // a stream in flight when Redis stops: its spend cannot be added and is not added later either
            String slow = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"fake:slow go\"}]}";
            CompletableFuture<HttpResponse<byte[]>> streaming = HttpClient.newHttpClient()
                    .sendAsync(request(second, pair.keyOnSecond(), slow), HttpResponse.BodyHandlers.ofByteArray());
            Thread.sleep(500);
            stopRedis();
            HttpResponse<byte[]> down = call(first, pair.keyOnFirst(), TestGateway.messageBody("during", false));
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(down.body()).at("/error/type").asText()).isEqualTo("api_error");
            assertThat(JSON.readTree(down.body()).at("/error/message").asText()).startsWith("budget state unavailable");
            assertThat(streaming.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            second.awaitRecord(r -> r.request().stream() && id.equals(r.identity().principalId()));

            startRedis();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int status;
            do {
                Thread.sleep(200);
                status = call(second, pair.keyOnSecond(), TestGateway.messageBody("back", false)).statusCode();
            } while (status == 503 && System.nanoTime() < deadline);
            assertThat(status).as("served again once Redis is back").isEqualTo(200);
            while (call(first, pair.keyOnFirst(), TestGateway.messageBody("more", false)).statusCode() == 200) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
            // the counter holds each served non-streamed call exactly once; the stream cut off by the outage is not in it
            long expected = Stream.concat(first.records().stream(), second.records().stream())
                    .filter(r -> r.status() == 200 && !r.request().stream() && id.equals(r.identity().principalId()))
                    .mapToLong(r -> r.cost().nanos()).sum();
            assertThat(expected).isGreaterThan(Usd.parse("0.0005"));
            assertThat(counter("principal:" + id + ":" + Period.DAY.label(Instant.now()))).isEqualTo(expected);
        }
    }

    long counter(String name) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return Long.parseLong(c.sync().get(RedisSpendLedger.PREFIX + "s:" + name));
        } finally {
            client.shutdown();
        }
    }

    /** A private redis-server with an append-only file, so its data survives a stop and start. */
    void startRedis() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/redis-server")) || Files.isExecutable(Path.of("/usr/local/bin/redis-server")),
                "redis-server is not installed");
        Services.assumePostgres();
        if (port == 0) {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            redisDir = Files.createTempDirectory("kw-redis-");
        }
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "yes", "--appendfsync", "always", "--dir", redisDir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(50);
            }
        }
    }

    void stopRedis() throws Exception {
        redis.destroy();
        redis.waitFor(10, TimeUnit.SECONDS);
    }
}
