package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FakeUpstreamMessagesIT {

    private static FakeUpstream upstream;
    private static UpstreamHttp http;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start(FakeUpstreamOptions.defaults(UpstreamHttp.KEY));
        http = new UpstreamHttp(upstream);
    }

    @AfterAll
    static void stop() {
        http.close();
        upstream.close();
    }

    @Test
    void answersWithARealShapedMessageAndHonestUsage() throws Exception {
        String body = UpstreamHttp.messages("Hello there, friend", 100, false);

        HttpResponse<String> r = http.post("/v1/messages", body);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode m = UpstreamHttp.json(r.body());
        assertThat(m.path("id").asText()).matches("msg_01[A-Za-z0-9]{22}");
        assertThat(m.path("type").asText()).isEqualTo("message");
        assertThat(m.path("role").asText()).isEqualTo("assistant");
        assertThat(m.path("model").asText()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(m.path("content").size()).isEqualTo(1);
        assertThat(m.path("content").get(0).path("type").asText()).isEqualTo("text");
        String text = m.path("content").get(0).path("text").asText();
        assertThat(text).isEqualTo("This is a simulated reply from Keywarden's fake upstream. You said: Hello there, friend");
        assertThat(m.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(m.get("stop_sequence").isNull()).isTrue();
        JsonNode usage = m.path("usage");
        assertThat(usage.path("input_tokens").asInt()).isEqualTo("Hello there, friend".length() / 4);
        assertThat(usage.path("cache_creation_input_tokens").asInt()).isZero();
        assertThat(usage.path("cache_read_input_tokens").asInt()).isZero();
        assertThat(usage.path("output_tokens").asInt()).isEqualTo(text.split(" ").length);
        assertThat(usage.path("service_tier").asText()).isEqualTo("standard");
    }

    @Test
    void theSameRequestAlwaysGetsTheSameText() throws Exception {
        String body = UpstreamHttp.messages("determinism please", 100, false);

        JsonNode a = UpstreamHttp.json(http.post("/v1/messages", body).body());
        JsonNode b = UpstreamHttp.json(http.post("/v1/messages", body).body());

        assertThat(a.path("content")).isEqualTo(b.path("content"));
        assertThat(a.path("id")).isNotEqualTo(b.path("id"));
    }

    @Test
    void answerStopsAtMaxTokensWordsWithStopReasonMaxTokens() throws Exception {
        JsonNode m = UpstreamHttp.json(http.post("/v1/messages", UpstreamHttp.messages("hi", 3, false)).body());

        assertThat(m.path("content").get(0).path("text").asText()).isEqualTo("This is a");
        assertThat(m.path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(m.path("usage").path("output_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void inputTokensCountSystemAndAllMessagesAtAQuarterOfTheirBytes() throws Exception {
        String body = """
                {"model":"m","max_tokens":10,"system":[{"type":"text","text":"%s"}],
                 "messages":[{"role":"user","content":"%s"},{"role":"assistant","content":"%s"},
                             {"role":"user","content":[{"type":"text","text":"%s"}]}]}"""
                .formatted("s".repeat(100), "u".repeat(200), "a".repeat(60), "x".repeat(40));

        JsonNode m = UpstreamHttp.json(http.post("/v1/messages", body).body());

        assertThat(m.path("usage").path("input_tokens").asInt()).isEqualTo(400 / 4);
    }

    @Test
    void everyAnswerCarriesAFreshRequestIdAndTheOrganization() throws Exception {
        HttpResponse<String> ok = http.post("/v1/messages", UpstreamHttp.messages("a", 5, false));
        HttpResponse<String> notFound = http.get("/v1/nope");
        HttpResponse<String> unauthorized = http.send(http.request("/v1/models").setHeader("x-api-key", "wrong").GET().build());

        for (HttpResponse<String> r : java.util.List.of(ok, notFound, unauthorized)) {
            assertThat(r.headers().firstValue("request-id")).hasValueSatisfying(id -> assertThat(id).matches("req_011C[A-Za-z0-9]{20}"));
            assertThat(r.headers().firstValue("anthropic-organization-id")).isPresent();
        }
        assertThat(ok.headers().firstValue("request-id")).isNotEqualTo(notFound.headers().firstValue("request-id"));
        assertThat(UpstreamHttp.json(notFound.body()).path("request_id").asText())
                .isEqualTo(notFound.headers().firstValue("request-id").orElseThrow());
    }

    @Test
    void successfulMessageCarriesAllRateLimitHeaders() throws Exception {
        HttpResponse<String> r = http.post("/v1/messages", UpstreamHttp.messages("a", 5, false));

        for (String kind : new String[] {"requests", "tokens", "input-tokens", "output-tokens"}) {
            String prefix = "anthropic-ratelimit-" + kind + "-";
            long limit = Long.parseLong(r.headers().firstValue(prefix + "limit").orElseThrow());
            long remaining = Long.parseLong(r.headers().firstValue(prefix + "remaining").orElseThrow());
            Instant reset = Instant.parse(r.headers().firstValue(prefix + "reset").orElseThrow());
            assertThat(remaining).isLessThan(limit).isPositive();
            assertThat(reset).isAfter(Instant.now().minusSeconds(5));
        }
    }

    @Test
    void wrongKeyIsRefusedWith401AuthenticationError() throws Exception {
        HttpResponse<String> r = http.send(http.request("/v1/messages").setHeader("x-api-key", "test-only-wrong-key")
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages("a", 5, false))).build());

        assertThat(r.statusCode()).isEqualTo(401);
        JsonNode e = UpstreamHttp.json(r.body());
        assertThat(e.path("type").asText()).isEqualTo("error");
        assertThat(e.path("error").path("type").asText()).isEqualTo("authentication_error");
        assertThat(e.path("error").path("message").asText()).isEqualTo("invalid x-api-key");
        assertThat(e.path("request_id").asText()).startsWith("req_");
        assertThat(r.body()).doesNotContain("test-only-wrong-key").doesNotContain(UpstreamHttp.KEY);
    }

    @Test
    void keyAsBearerTokenIsAcceptedBecauseTheOfficialSdkSendsItThatWay() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(upstream.baseUri().resolve("/v1/models"))
                .header("authorization", "Bearer " + UpstreamHttp.KEY)
                .header("anthropic-version", "2023-06-01").GET().build();

        assertThat(http.send(request).statusCode()).isEqualTo(200);
    }

    @Test
    void wrongBearerTokenIsRefusedWith401() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(upstream.baseUri().resolve("/v1/models"))
                .header("authorization", "Bearer test-only-wrong-token")
                .header("anthropic-version", "2023-06-01").GET().build();

        HttpResponse<String> r = http.send(request);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(UpstreamHttp.json(r.body()).path("error").path("message").asText()).isEqualTo("invalid bearer token");
        assertThat(r.body()).doesNotContain("test-only-wrong-token");
    }

    @Test
    void wrongXApiKeyIsRefusedEvenWithARightBearerToken() throws Exception {
        HttpResponse<String> r = http.send(http.request("/v1/models").setHeader("x-api-key", "test-only-wrong-key")
                .header("authorization", "Bearer " + UpstreamHttp.KEY).GET().build());

        assertThat(r.statusCode()).isEqualTo(401);
    }

    @Test
    void missingKeyIsRefusedWith401SayingTheHeaderIsRequired() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(upstream.baseUri().resolve("/v1/models"))
                .header("anthropic-version", "2023-06-01").GET().build();

        HttpResponse<String> r = http.send(request);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(UpstreamHttp.json(r.body()).path("error").path("message").asText()).isEqualTo("x-api-key header is required");
    }

    @Test
    void missingAnthropicVersionIsRefusedWith400NamingTheHeader() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(upstream.baseUri().resolve("/v1/messages"))
                .header("x-api-key", UpstreamHttp.KEY)
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages("a", 5, false))).build();

        HttpResponse<String> r = http.send(request);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode e = UpstreamHttp.json(r.body());
        assertThat(e.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.path("error").path("message").asText()).isEqualTo("anthropic-version: header is required");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{not json                                                              | Request body is not valid JSON at line 1, column 2",
            "''                                                                     | Request body is empty; expected a JSON object",
            "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]} | model: Field required",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}  | max_tokens: Field required",
            "{\"model\":\"m\",\"max_tokens\":5}                                      | messages: Field required",
    })
    void invalidMessagesBodiesAreRefusedWith400NamingTheProblem(String body, String message) throws Exception {
        HttpResponse<String> r = http.post("/v1/messages", body);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode e = UpstreamHttp.json(r.body());
        assertThat(e.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.path("error").path("message").asText()).isEqualTo(message);
    }

    @Test
    void countTokensAnswersOnlyTheInputTokensAndNeedsNoMaxTokens() throws Exception {
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "w".repeat(80) + "\"}]}";

        HttpResponse<String> r = http.post("/v1/messages/count_tokens", body);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"input_tokens\":20}");
    }

    @Test
    void unknownPathIs404NotFoundError() throws Exception {
        HttpResponse<String> r = http.get("/v1/completions/what");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(UpstreamHttp.json(r.body()).path("error").path("type").asText()).isEqualTo("not_found_error");
    }

    @Test
    void wrongMethodOnAKnownPathIsRefusedWith405() throws Exception {
        HttpResponse<String> r = http.get("/v1/messages");

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(UpstreamHttp.json(r.body()).path("error").path("message").asText()).isEqualTo("Method GET is not allowed here; use POST");
    }

    @Test
    void bodyDeclaredOver32MegabytesIsRefusedWith413() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", upstream.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + UpstreamHttp.KEY
                    + "\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\ncontent-length: 40000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);

            assertThat(head).isEqualTo("HTTP/1.1 413");
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("\"type\":\"request_too_large\"");
        }
    }

    @Test
    void latencyHeaderDelaysTheAnswerForOneRequest() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.post("/v1/messages", UpstreamHttp.messages("a", 5, false), "x-fake-latency-ms", "300");
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(tookMs).isGreaterThanOrEqualTo(300);
    }

    @Test
    void badLatencyHeaderIsRefusedWith400() throws Exception {
        HttpResponse<String> r = http.post("/v1/messages", UpstreamHttp.messages("a", 5, false), "x-fake-latency-ms", "-5");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(UpstreamHttp.json(r.body()).path("error").path("message").asText()).startsWith("x-fake-latency-ms:");
    }

    @Test
    void configuredLatencyDelaysEveryAnswerAndTheHeaderCanOverrideIt() throws Exception {
        try (FakeUpstream slow = FakeUpstream.start(FakeUpstreamOptions.defaults(UpstreamHttp.KEY).withLatency(Duration.ofMillis(400)));
             UpstreamHttp client = new UpstreamHttp(slow)) {
            long start = System.nanoTime();
            client.get("/v1/models");
            long delayedMs = (System.nanoTime() - start) / 1_000_000;
            start = System.nanoTime();
            client.get("/v1/models", "x-fake-latency-ms", "0");
            long overriddenMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(delayedMs).isGreaterThanOrEqualTo(400);
            assertThat(overriddenMs).isLessThan(400);
        }
    }
}
