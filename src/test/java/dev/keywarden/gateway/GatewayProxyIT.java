package dev.keywarden.gateway;

import dev.keywarden.pipeline.ExchangeRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.testing.RawHttp;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.upstream.fake.RecordedExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy path end to end: a real gateway in front of the fake upstream, over real HTTP. */
class GatewayProxyIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    static TestGateway gw;

    @BeforeAll
    static void start() throws IOException {
        gw = TestGateway.start(Map.of(
                "KEYWARDEN_MAX_BODY_BYTES", "1MB",
                "KEYWARDEN_IDLE_TIMEOUT", "1500ms",
                "KEYWARDEN_UPSTREAM_IDLE_TIMEOUT", "3s"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @BeforeEach
    void clear() {
        gw.upstream.clearExchanges();
    }

    private static RecordedExchange onlyUpstreamExchange() {
        List<RecordedExchange> ex = gw.upstream.exchanges();
        assertThat(ex).hasSize(1);
        return ex.get(0);
    }

    private static JsonNode json(byte[] body) throws IOException {
        return JSON.readTree(body);
    }

    private static void assertGatewayError(HttpResponse<byte[]> r, int status, String type) throws IOException {
        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode n = json(r.body());
        assertThat(n.get("type").asText()).isEqualTo("error");
        assertThat(n.at("/error/type").asText()).isEqualTo(type);
        assertThat(n.at("/error/message").asText()).isNotBlank();
        assertThat(n.get("request_id").asText()).isEqualTo(r.headers().firstValue("request-id").orElseThrow());
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
    }

    // ---------------------------------------------------------------- forwarding

    @Test
    void aCallRefusedBeforeItsBodyWasReadClosesTheConnectionSoTheNextCallDoesNotFail() throws Exception {
        java.net.http.HttpResponse<byte[]> refused = gw.send(gw.request("/v1/messages").setHeader("x-api-key", "kw_refused_before_body")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("x", false))).build());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("connection")).hasValue("close");
        for (int i = 0; i < 5; i++) {
            assertThat(gw.postMessages(TestGateway.messageBody("after a refusal", false)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void plainMessageIsRelayedByteForByteWithTheProviderKeyAndWithoutClientCredentials() throws Exception {
        HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages?beta=true")
                .header("anthropic-beta", "a-2025,b-2025").header("x-stainless-lang", "java")
                .header("Cookie", "session=abc")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("Hello", false))).build());
        assertThat(r.statusCode()).isEqualTo(200);
        RecordedExchange up = onlyUpstreamExchange();
        assertThat(r.body()).isEqualTo(up.responseBody());
        assertThat(up.query()).isEqualTo("beta=true");
        assertThat(up.header("x-api-key")).isEqualTo(gw.providerKey);
        assertThat(up.header("authorization")).isNull();
        assertThat(up.header("cookie")).isNull();
        assertThat(up.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(up.header("anthropic-beta")).isEqualTo("a-2025,b-2025");
        assertThat(up.header("x-stainless-lang")).isEqualTo("java");
        assertThat(up.requestBody()).isEqualTo(TestGateway.messageBody("Hello", false).getBytes(StandardCharsets.UTF_8));
        assertThat(r.headers().firstValue("request-id").orElseThrow()).as("upstream's request id is kept")
                .startsWith("req_").doesNotStartWith("req_kw_");
        assertThat(r.headers().firstValue("anthropic-ratelimit-requests-limit")).isPresent();
    }

    @Test
    void bearerTokenIsAcceptedAndRemovedBeforeForwarding() throws Exception {
        HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages"))
                .header("authorization", "Bearer " + gw.virtualKey).header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("Hi", false))).build());
        assertThat(r.statusCode()).isEqualTo(200);
        RecordedExchange up = onlyUpstreamExchange();
        assertThat(up.header("authorization")).isNull();
        assertThat(up.header("x-api-key")).isEqualTo(gw.providerKey);
    }

    @Test
    void missingAnthropicVersionIsFilledWithTheDefaultWhileAClientValueIsKept() throws Exception {
        HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("x-api-key", gw.virtualKey)
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("Hi", false))).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(onlyUpstreamExchange().header("anthropic-version")).isEqualTo("2023-06-01");
        gw.upstream.clearExchanges();
        gw.send(gw.request("/v1/messages").setHeader("anthropic-version", "2099-01-01")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("Hi", false))).build());
        assertThat(onlyUpstreamExchange().header("anthropic-version")).isEqualTo("2099-01-01");
    }

    @Test
    void usageOfAPlainMessageIsMeteredIntoTheExchangeRecord() throws Exception {
        HttpResponse<byte[]> r = gw.postMessages(TestGateway.messageBody("Count my tokens please", false));
        JsonNode usage = json(r.body()).get("usage");
        String rid = r.headers().firstValue("keywarden-request-id").orElseThrow();
        ExchangeRecord rec = gw.awaitRecord(x -> x.requestId().equals(rid));
        assertThat(rec.usage().inputTokens()).isEqualTo(usage.get("input_tokens").asLong()).isPositive();
        assertThat(rec.usage().outputTokens()).isEqualTo(usage.get("output_tokens").asLong()).isPositive();
        assertThat(rec.usage().model()).isEqualTo(json(r.body()).get("model").asText());
        assertThat(rec.usage().stopReason()).isEqualTo("end_turn");
        assertThat(rec.status()).isEqualTo(200);
        assertThat(rec.upstreamStatus()).isEqualTo(200);
        assertThat(rec.identity().credentialKind()).isEqualTo("virtual_key");
        assertThat(rec.request().model()).isEqualTo("claude-sonnet-4-5");
        assertThat(rec.request().maxTokens()).isEqualTo(256);
        assertThat(rec.providerKey()).endsWith(gw.providerKey.substring(gw.providerKey.length() - 4)).doesNotContain(gw.providerKey);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ok", "pings", "padded", "crlf", "cr", "multi_data", "unknown_event", "no_final_blank", "mid_stream_error"})
    void sseStreamsReachTheClientByteForByteAndAreMetered(String scenario) throws Exception {
        HttpRequest.Builder req = gw.request("/v1/messages");
        if (!scenario.equals("ok")) {
            req.header("x-fake-scenario", scenario);
        }
        HttpResponse<byte[]> r = gw.send(req.POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("Stream please", true))).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
        RecordedExchange up = onlyUpstreamExchange();
        assertThat(r.body()).as("bytes the client received equal the bytes upstream sent").isEqualTo(up.responseBody());

        String text = new String(r.body(), StandardCharsets.UTF_8);
        String rid = r.headers().firstValue("keywarden-request-id").orElseThrow();
        ExchangeRecord rec = gw.awaitRecord(x -> x.requestId().equals(rid));
        assertThat(rec.usage().inputTokens()).isEqualTo(firstNumber(text, "input_tokens")).isPositive();
        if (scenario.equals("mid_stream_error")) {
            assertThat(rec.errorType()).isEqualTo("overloaded_error");
        } else {
            assertThat(rec.usage().outputTokens()).isEqualTo(lastNumber(text, "output_tokens")).isPositive();
            assertThat(rec.usage().stopReason()).isEqualTo("end_turn");
            assertThat(rec.errorType()).isNull();
        }
    }

    @Test
    void firstStreamedBytesReachTheClientBeforeUpstreamFinishes() throws Exception {
        HttpResponse<InputStream> r = java.net.http.HttpClient.newHttpClient().send(gw.request("/v1/messages")
                .header("x-fake-scenario", "slow")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("slow", true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            byte[] first = in.readNBytes(20);
            assertThat(new String(first, StandardCharsets.UTF_8)).startsWith("event: message_start");
            // the slow stream lasts about 5 s; it must still be running upstream when the first bytes arrived
            assertThat(new String(onlyUpstreamExchange().responseBody(), StandardCharsets.UTF_8))
                    .as("upstream has not completed the stream yet").doesNotContain("message_stop");
        }
    }

    @Test
    void clientDisconnectMidStreamAbortsTheUpstreamRequest() throws Exception {
        int before = gw.upstream.cancelledStreams();
        String body = TestGateway.messageBody("slow", true);
        try (RawHttp raw = new RawHttp(gw.gateway.baseUri(), 5000)) {
            raw.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + gw.virtualKey
                    + "\r\nanthropic-version: 2023-06-01\r\nx-fake-scenario: slow\r\ncontent-type: application/json\r\ncontent-length: "
                    + body.length() + "\r\n\r\n" + body);
            InputStream in = raw.input();
            StringBuilder some = new StringBuilder();
            byte[] buf = new byte[512];
            int n;
            while (!some.toString().contains("content_block_delta") && (n = in.read(buf)) > 0) {
                some.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertThat(some.toString()).startsWith("HTTP/1.1 200").contains("message_start");
        }
        assertThat(gw.upstream.awaitCancelledStreams(before + 1, Duration.ofSeconds(5)))
                .as("the fake upstream saw its stream cancelled").isTrue();
    }

    @Test
    void countTokensModelsAndBatchesAreForwarded() throws Exception {
        HttpResponse<byte[]> count = gw.send(gw.request("/v1/messages/count_tokens")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
        assertThat(count.statusCode()).isEqualTo(200);
        assertThat(json(count.body()).get("input_tokens").asInt()).isPositive();

        HttpResponse<byte[]> models = gw.send(gw.request("/v1/models?limit=2").GET().build());
        assertThat(models.statusCode()).isEqualTo(200);
        JsonNode list = json(models.body());
        assertThat(list.get("data")).hasSize(2);
        assertThat(gw.upstream.exchanges().get(1).query()).isEqualTo("limit=2");
        String id = list.get("data").get(0).get("id").asText();
        HttpResponse<byte[]> one = gw.send(gw.request("/v1/models/" + id).GET().build());
        assertThat(json(one.body()).get("id").asText()).isEqualTo(id);
        HttpResponse<byte[]> unknown = gw.send(gw.request("/v1/models/claude-none").GET().build());
        assertGatewayErrorShape(unknown, 404, "not_found_error");

        HttpResponse<byte[]> created = gw.send(gw.request("/v1/messages/batches").POST(HttpRequest.BodyPublishers.ofString(
                "{\"requests\":[{\"custom_id\":\"a\",\"params\":{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}]}")).build());
        assertThat(created.statusCode()).isEqualTo(200);
        String batchId = json(created.body()).get("id").asText();
        assertThat(gw.send(gw.request("/v1/messages/batches/" + batchId).GET().build()).statusCode()).isEqualTo(200);
        assertThat(gw.send(gw.request("/v1/messages/batches?limit=5").GET().build()).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> results = gw.send(gw.request("/v1/messages/batches/" + batchId + "/results").GET().build());
        assertThat(results.statusCode()).isEqualTo(200);
        assertThat(new String(results.body(), StandardCharsets.UTF_8)).contains("\"custom_id\":\"a\"");
        assertThat(gw.send(gw.request("/v1/messages/batches/" + batchId + "/cancel").POST(HttpRequest.BodyPublishers.noBody()).build())
                .statusCode()).isEqualTo(200);
        assertThat(gw.send(gw.request("/v1/messages/batches/" + batchId).DELETE().build()).statusCode()).isEqualTo(200);
    }

    @Test
    void largeBodyWithinTheLimitIsForwardedIntact() throws Exception {
        String body = TestGateway.messageBody("x".repeat(900_000), false);
        HttpResponse<byte[]> r = gw.postMessages(body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(onlyUpstreamExchange().requestBody()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- upstream errors

    @ParameterizedTest
    @ValueSource(strings = {"rate_limit:429:rate_limit_error", "overloaded:529:overloaded_error", "server_error:500:api_error",
            "bad_gateway_html:502:api_error"})
    void upstreamErrorsReachTheClientInAnthropicsShape(String spec) throws Exception {
        String[] p = spec.split(":");
        HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages").header("x-fake-scenario", p[0])
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertGatewayErrorShape(r, Integer.parseInt(p[1]), p[2]);
        if (p[0].equals("rate_limit")) {
            assertThat(r.headers().firstValue("retry-after")).contains("7");
            assertThat(r.body()).isEqualTo(onlyUpstreamExchange().responseBody());
        }
        if (p[0].equals("bad_gateway_html")) {
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("<html");
        }
    }

    @Test
    void scenarioChosenByMessageTextAlsoWorksThroughTheGateway() throws Exception {
        HttpResponse<byte[]> r = gw.postMessages(TestGateway.messageBody("fake:rate_limit", false));
        assertThat(r.statusCode()).isEqualTo(429);
    }

    @Test
    void upstreamThatNeverAnswersGives504TimeoutError() throws Exception {
        HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages").header("x-fake-scenario", "hang")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertGatewayError(r, 504, "timeout_error");
    }

    @Test
    void slowUpstreamLongerThanTheClientIdleTimeoutStillAnswers() throws Exception {
        HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages").header("x-fake-latency-ms", "2200")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void unreachableUpstreamGives502ApiErrorWithoutItsAddress() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (TestGateway down = TestGateway.pointedAt(URI.create("http://127.0.0.1:" + closedPort), Map.of())) {
            HttpResponse<byte[]> r = down.postMessages(TestGateway.messageBody("hi", false));
            assertGatewayError(r, 502, "api_error");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("127.0.0.1").doesNotContain(String.valueOf(closedPort));
        }
    }

    @Test
    void upstreamRejectingTheProviderKeyGivesTheGateways503NotUpstreamsAuthenticationError() throws Exception {
        try (TestGateway wrong = TestGateway.withWrongProviderKey(Map.of())) {
            HttpResponse<byte[]> r = wrong.postMessages(TestGateway.messageBody("hi", false));
            assertGatewayErrorShape(r, 503, "api_error");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(wrong.providerKey);
        }
    }

    // ---------------------------------------------------------------- bad input never reaches upstream

    @Test
    void missingCredentialIs401() throws Exception {
        HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertGatewayError(r, 401, "authentication_error");
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void wrongCredentialIs401() throws Exception {
        HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages").setHeader("x-api-key", "kw_" + "A".repeat(38))
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertGatewayError(r, 401, "authentication_error");
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void revokedKeyIsRefusedWithAMessageSayingSo() throws Exception {
        var created = gw.gateway.virtualKeys().create("to-revoke");
        assertThat(gw.gateway.virtualKeys().revoke(created.id())).isTrue();
        HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages").setHeader("x-api-key", created.key())
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertGatewayError(r, 401, "authentication_error");
        assertThat(json(r.body()).at("/error/message").asText()).contains("revoked");
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void twoDifferentCredentialsAreRefusedAsAmbiguous() throws Exception {
        HttpResponse<byte[]> twoKeys = gw.send(gw.request("/v1/messages").header("x-api-key", "kw_" + "B".repeat(38))
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertGatewayError(twoKeys, 401, "authentication_error");
        HttpResponse<byte[]> keyAndBearer = gw.send(gw.request("/v1/messages").header("authorization", "Bearer kw_other")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertGatewayError(keyAndBearer, 401, "authentication_error");
        assertThat(json(keyAndBearer.body()).at("/error/message").asText()).contains("exactly one credential");
        HttpResponse<byte[]> sameInBoth = gw.send(gw.request("/v1/messages").header("authorization", "Bearer " + gw.virtualKey)
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertThat(sameInBoth.statusCode()).as("the Java SDK may send the same key both ways").isEqualTo(200);
        assertThat(gw.upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void hopByHopAndUpgradeHeadersAreNotForwarded() throws Exception {
        gw.send(gw.request("/v1/messages").header("x-drop-me", "1").header("x-stainless-keep-me", "2")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        RecordedExchange up = onlyUpstreamExchange();
        assertThat(up.header("http2-settings")).isNull();
        assertThat(up.header("upgrade")).isNull();
        assertThat(up.header("x-drop-me")).as("not a header the API uses").isNull();
        assertThat(up.header("x-stainless-keep-me")).isEqualTo("2");
    }

    @Test
    void malformedJsonIs400AndNeverForwarded() throws Exception {
        for (String bad : new String[] {"{\"model\": broken", "[1,2]", "", "{} trailing"}) {
            HttpResponse<byte[]> r = gw.postMessages(bad);
            assertGatewayError(r, 400, "invalid_request_error");
        }
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void bodyDeclaredOverTheLimitIs413WithoutReadingIt() throws Exception {
        try (RawHttp raw = new RawHttp(gw.gateway.baseUri(), 5000)) {
            raw.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + gw.virtualKey
                    + "\r\ncontent-type: application/json\r\ncontent-length: 50000000\r\n\r\n{\"model\":");
            String response = raw.readAvailable(64 * 1024);
            assertThat(response).startsWith("HTTP/1.1 413").contains("request_too_large");
        }
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void chunkedBodyGrowingOverTheLimitIs413() throws Exception {
        try (RawHttp raw = new RawHttp(gw.gateway.baseUri(), 5000)) {
            raw.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + gw.virtualKey
                    + "\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n");
            String chunk = "a".repeat(64 * 1024);
            for (int i = 0; i < 20; i++) {
                try {
                    raw.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
                } catch (IOException closed) {
                    break;
                }
            }
            String response = raw.readAvailable(64 * 1024);
            assertThat(response).startsWith("HTTP/1.1 413").contains("request_too_large");
        }
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() throws Exception {
        assertGatewayError(gw.send(gw.request("/v1/nowhere").GET().build()), 404, "not_found_error");
        HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages").GET().build());
        assertGatewayError(r, 405, "invalid_request_error");
        assertThat(r.headers().firstValue("allow")).contains("POST");
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void oversizedHeadersAre431InAnthropicsShape() throws Exception {
        try (RawHttp raw = new RawHttp(gw.gateway.baseUri(), 5000)) {
            raw.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nx-api-key: " + gw.virtualKey + "\r\nx-big: " + "b".repeat(40_000) + "\r\n\r\n");
            String response = raw.readAvailable(64 * 1024);
            assertThat(response).startsWith("HTTP/1.1 431").contains("\"type\":\"error\"").contains("invalid_request_error");
        }
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void clientThatStopsSendingItsBodyIsCutOffByTheIdleTimeout() throws Exception {
        long start = System.nanoTime();
        try (RawHttp raw = new RawHttp(gw.gateway.baseUri(), 10_000)) {
            raw.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + gw.virtualKey
                    + "\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"model\":");
            String response = raw.readAvailable(64 * 1024);
            assertThat(response).satisfiesAnyOf(s -> assertThat(s).isEmpty(), s -> assertThat(s).startsWith("HTTP/1.1 408"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void uploadsThatStallDoNotHoldServerThreads() throws Exception {
        // more stalled uploads than the server's thread pool has threads (200): each waits for its
        // body on a virtual thread, so a complete request is still answered long before they time out
        try (TestGateway patient = TestGateway.start(Map.of("KEYWARDEN_IDLE_TIMEOUT", "60s"))) {
            List<RawHttp> stalled = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 250; i++) {
                    stalled.add(new RawHttp(patient.gateway.baseUri(), 10_000).send("POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
                            + "x-api-key: " + patient.virtualKey + "\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"model\":"));
                }
                HttpResponse<byte[]> r = patient.postMessages(TestGateway.messageBody("still served", false)); // 20 s timeout
                assertThat(r.statusCode()).isEqualTo(200);
            } finally {
                for (RawHttp raw : stalled) {
                    raw.close();
                }
            }
        }
    }

    @Test
    void healthAndReadinessAnswerWithoutCredentials() throws Exception {
        HttpResponse<byte[]> live = gw.send(HttpRequest.newBuilder(gw.uri("/healthz")).GET().build());
        assertThat(live.statusCode()).isEqualTo(200);
        HttpResponse<byte[]> ready = gw.send(HttpRequest.newBuilder(gw.uri("/readyz")).GET().build());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready.body()).at("/checks/store").asText()).isEqualTo("ok");
        assertThat(json(ready.body()).at("/checks/upstream").asText()).isEqualTo("ok");
    }

    @Test
    void everyResponseCarriesARequestId() throws Exception {
        assertThat(gw.send(HttpRequest.newBuilder(gw.uri("/healthz")).GET().build()).headers().firstValue("request-id")).isPresent();
        assertThat(gw.send(gw.request("/v1/nowhere").GET().build()).headers().firstValue("request-id")).isPresent();
        assertThat(gw.postMessages("nope").headers().firstValue("request-id")).isPresent();
        assertThat(gw.postMessages(TestGateway.messageBody("hi", false)).headers().firstValue("request-id")).isPresent();
    }

    private static void assertGatewayErrorShape(HttpResponse<byte[]> r, int status, String type) throws IOException {
        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode n = json(r.body());
        assertThat(n.get("type").asText()).isEqualTo("error");
        assertThat(n.at("/error/type").asText()).isEqualTo(type);
        assertThat(r.headers().firstValue("request-id")).isPresent();
    }

    private static long firstNumber(String text, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(text);
        assertThat(m.find()).as(field + " in stream").isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long lastNumber(String text, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(text);
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        assertThat(last).as(field + " in stream").isNotNegative();
        return last;
    }
}
