package dev.keywarden.limits;

import static dev.keywarden.limits.LimitsIT.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keywarden.testing.TestGateway;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What rate limits do while Redis is down ({@code redis.on_failure}), against a private
 * {@code redis-server} this test starts and stops (the shared one is left alone).
 */
class RedisOutageIT {

    Process redis;
    int port;

    void startRedis() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/redis-server")) || Files.isExecutable(Path.of("/usr/local/bin/redis-server")),
                "redis-server is not installed");
        if (port == 0) {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
        }
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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

    @AfterEach
    void cleanUp() throws Exception {
        if (redis != null && redis.isAlive()) {
            stopRedis();
        }
    }

    Map<String, String> env(String onFailure) {
        // no spend budgets on the free tier here: budgets always fail closed (SharedBudgetsIT), this is about rate limits
        return LimitsIT.limitsOn("KEYWARDEN_STATE", "redis", "KEYWARDEN_REDIS_URL", "redis://127.0.0.1:" + port,
                "KEYWARDEN_REDIS_ON_FAILURE", onFailure, "KEYWARDEN_CLUSTER_INSTANCES", "2",
                "KEYWARDEN_TIERS_FREE_DAILY_BUDGET_USD", "0", "KEYWARDEN_TIERS_FREE_MONTHLY_BUDGET_USD", "0");
    }

    @Test
    void failClosedRefusesWith503WhileRedisIsDownAndServesAgainWhenItIsBack() throws Exception {
        startRedis();
        try (TestGateway gw = TestGateway.start(env("fail-closed"))) {
            assertThat(gw.postMessages(TestGateway.messageBody("up", false)).statusCode()).isEqualTo(200);
            stopRedis();
            HttpResponse<byte[]> down = gw.postMessages(TestGateway.messageBody("down", false));
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(down.body()).at("/error/type").asText()).isEqualTo("api_error");
            assertThat(JSON.readTree(down.body()).at("/error/message").asText()).contains("cannot check rate limits");
            startRedis();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int status;
            do {
                Thread.sleep(200);
                status = gw.postMessages(TestGateway.messageBody("back", false)).statusCode();
            } while (status != 200 && System.nanoTime() < deadline);
            assertThat(status).as("served again once Redis is back").isEqualTo(200);
        }
    }

    @Test
    void localFallbackAdmitsTheLimitDividedByInstanceCountWhileRedisIsDown() throws Exception {
        startRedis();
        try (TestGateway gw = TestGateway.start(env("local-fallback"))) {
            assertThat(gw.postMessages(TestGateway.messageBody("up", false)).statusCode()).isEqualTo(200);
            stopRedis();
            int admitted = 0;
            for (int i = 0; i < 8; i++) {
                HttpResponse<byte[]> r = gw.postMessages(TestGateway.messageBody("down " + i, false));
                if (r.statusCode() == 200) {
                    admitted++;
                    assertThat(r.headers().firstValue("RateLimit-Policy").orElseThrow()).startsWith("\"requests\";q=5;w=60");
                } else {
                    assertThat(r.statusCode()).isEqualTo(429);
                }
            }
            assertThat(admitted).as("free tier 10/min over cluster.instances 2").isEqualTo(5);
        }
    }
}
