package dev.keywarden.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.testing.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.store.Database;
import org.junit.jupiter.api.Test;

/** Per-principal limits in one gateway with in-process state ({@code state: local}). */
class LimitsIT {

    static final ObjectMapper JSON = new ObjectMapper();

    static Map<String, String> limitsOn(String... more) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>(Map.of("KEYWARDEN_LIMITS", "on",
                "KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "5"));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    static HttpResponse<byte[]> call(TestGateway gw, String key, String body) throws Exception {
        return gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("x-api-key", key)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static String errorType(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body()).at("/error/type").asText();
    }

    @Test
    void freeTierAdmitsTenRequestsAMinuteThenRefusesWith429RetryAfterAndHeaders() throws Exception {
        try (TestGateway gw = TestGateway.start(limitsOn())) {
            for (int i = 0; i < 10; i++) {
                HttpResponse<byte[]> ok = gw.postMessages(TestGateway.messageBody("hi " + i, false));
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue(
                        "\"requests\";q=10;w=60, \"input-tokens\";q=20000;w=60, \"output-tokens\";q=4000;w=60");
                assertThat(ok.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"requests\";r=" + (9 - i) + ";t=");
            }
            HttpResponse<byte[]> refused = gw.postMessages(TestGateway.messageBody("one too many", false));
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(errorType(refused)).isEqualTo("rate_limit_error");
            JsonNode body = JSON.readTree(refused.body());
            assertThat(body.at("/type").asText()).isEqualTo("error");
            assertThat(body.at("/error/message").asText()).contains("10 requests per minute", "principal test-client");
            long retry = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
            assertThat(retry).isBetween(1L, 6L);
            assertThat(refused.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"requests\";r=0;t=");
            assertThat(refused.headers().firstValue("RateLimit-Policy")).isPresent();
            assertThat(gw.upstream.requestCount()).as("refused call never reached upstream").isEqualTo(10);
        }
    }

    @Test
    void streamThatOvershootsTheOutputEstimateIsCorrectedAndTheNextRequestIsRefused() throws Exception {
        try (TestGateway gw = TestGateway.start(limitsOn("KEYWARDEN_TIERS_FREE_OUTPUT_TOKENS_PER_MINUTE", "100"))) {
            // the fake's "slow" scenario streams 200 words (200 output tokens) whatever max_tokens says
            String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"fake:slow go\"}]}";
            HttpResponse<byte[]> streamed = call(gw, gw.virtualKey, body);
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.headers().firstValue("RateLimit").orElseThrow()).contains("\"output-tokens\";r=90;");
            gw.awaitRecord(r -> r.status() == 200);
            HttpResponse<byte[]> next = gw.postMessages(TestGateway.messageBody("again", false));
            assertThat(next.statusCode()).isEqualTo(429);
            assertThat(JSON.readTree(next.body()).at("/error/message").asText()).contains("100 output tokens per minute");
            // 200 - 10 = 190 over the estimate: the bucket sits at -100, so about 60 s until it is above zero
            assertThat(Long.parseLong(next.headers().firstValue("retry-after").orElseThrow())).isBetween(55L, 62L);
        }
    }

    @Test
    void suspendedPrincipalIsRefusedOnTheNextRequestAndResumedOneIsServed() throws Exception {
        try (TestGateway gw = TestGateway.start(limitsOn())) {
            assertThat(gw.postMessages(TestGateway.messageBody("before", false)).statusCode()).isEqualTo(200);
            gw.gateway.virtualKeys().principals().suspend("test-client");
            HttpResponse<byte[]> refused = gw.postMessages(TestGateway.messageBody("during", false));
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(errorType(refused)).isEqualTo("permission_error");
            assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).contains("suspended");
            gw.gateway.virtualKeys().principals().resume("test-client");
            assertThat(gw.postMessages(TestGateway.messageBody("after", false)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void repeatedBadKeysLockTheAddressOutEvenForAGoodKeyWhileOtherAddressesAreServed() throws Exception {
        TestGateway gw = TestGateway.start(limitsOn());
        try (gw) {
            String bad = "kw_" + "x".repeat(40);
            // one connection per guess: after a 401 sent before the body was read, the server may close a
            // kept-alive connection the JDK client would otherwise reuse
            for (int i = 0; i < 5; i++) {
                assertThat(rawStatusFrom("127.0.0.1", gw, bad)).isEqualTo(401);
            }
            HttpResponse<byte[]> locked = call(gw, gw.virtualKey, TestGateway.messageBody("real", false));
            assertThat(locked.statusCode()).isEqualTo(429);
            assertThat(errorType(locked)).isEqualTo("rate_limit_error");
            assertThat(Long.parseLong(locked.headers().firstValue("retry-after").orElseThrow())).isBetween(890L, 900L);
            assertThat(rawStatusFrom("127.0.0.2", gw, gw.virtualKey)).as("another address is unaffected").isEqualTo(200);
        }
        // the gateway is closed, so the audit queue is drained: the lockout is an alert in the trail
        List<String> bodies = new ArrayList<>();
        try (Database db = Database.openSqlite(gw.dataDir)) {
            new AuditStore(db).forEachSince("", r -> bodies.add(r.body()));
        }
        assertThat(bodies).anySatisfy(b -> assertThat(b).contains("auth.lockout", "127.0.0.1"));
    }

    /** A request sent from a chosen loopback address (the JDK client cannot pick its source address). */
    static int rawStatusFrom(String sourceAddress, TestGateway gw, String key) throws Exception {
        byte[] body = TestGateway.messageBody("from elsewhere", false).getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(sourceAddress), 0));
            s.connect(new InetSocketAddress("127.0.0.1", gw.gateway.port()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + key
                    + "\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}
