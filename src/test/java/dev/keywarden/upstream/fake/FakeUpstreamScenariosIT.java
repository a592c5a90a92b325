package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FakeUpstreamScenariosIT {

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

    @BeforeEach
    void clear() {
        upstream.clearExchanges();
    }

    @ParameterizedTest
    @CsvSource({
            "rate_limit,   429, rate_limit_error",
            "overloaded,   529, overloaded_error",
            "server_error, 500, api_error",
    })
    void errorScenariosAnswerWithTheRealStatusAndErrorTypeByHeaderOrText(String scenario, int status, String type)
            throws Exception {
        HttpResponse<String> byHeader = http.post("/v1/messages", UpstreamHttp.messages("hi", 10, false), "x-fake-scenario", scenario);
        HttpResponse<String> byText = http.post("/v1/messages", UpstreamHttp.messages("fake:" + scenario + " hi", 10, false));
        HttpResponse<String> streaming = http.post("/v1/messages", UpstreamHttp.messages("fake:" + scenario, 10, true));

        for (HttpResponse<String> r : java.util.List.of(byHeader, byText, streaming)) {
            assertThat(r.statusCode()).isEqualTo(status);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode e = UpstreamHttp.json(r.body());
            assertThat(e.path("type").asText()).isEqualTo("error");
            assertThat(e.path("error").path("type").asText()).isEqualTo(type);
            assertThat(e.path("request_id").asText()).isEqualTo(r.headers().firstValue("request-id").orElseThrow());
        }
    }

    @Test
    void rateLimitCarriesRetryAfterAndExhaustedRateLimitHeaders() throws Exception {
        HttpResponse<String> r = http.post("/v1/messages", UpstreamHttp.messages("fake:rate_limit", 10, false));

        assertThat(r.headers().firstValue("retry-after")).hasValue("7");
        for (String kind : new String[] {"requests", "tokens", "input-tokens", "output-tokens"}) {
            assertThat(r.headers().firstValue("anthropic-ratelimit-" + kind + "-limit")).isPresent();
            assertThat(r.headers().firstValue("anthropic-ratelimit-" + kind + "-remaining")).hasValue("0");
            assertThat(r.headers().firstValue("anthropic-ratelimit-" + kind + "-reset")).isPresent();
        }
    }

    @Test
    void badGatewayHtmlAnswers502WithABodyThatIsNotJson() throws Exception {
        HttpResponse<String> r = http.post("/v1/messages", UpstreamHttp.messages("fake:bad_gateway_html", 10, true));

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/html");
        assertThat(r.body()).startsWith("<html>").contains("502 Bad Gateway").doesNotContain("{");
    }

    @Test
    void scenarioHeaderAppliesToEveryEndpoint() throws Exception {
        assertThat(http.get("/v1/models", "x-fake-scenario", "overloaded").statusCode()).isEqualTo(529);
        assertThat(http.post("/v1/messages/count_tokens", "{}", "x-fake-scenario", "rate_limit").statusCode()).isEqualTo(429);
        assertThat(http.get("/v1/messages/batches", "x-fake-scenario", "bad_gateway_html").statusCode()).isEqualTo(502);
    }

    @Test
    void headerScenarioWinsOverTheTextMarker() throws Exception {
        HttpResponse<String> r = http.post("/v1/messages", UpstreamHttp.messages("fake:rate_limit", 10, false),
                "x-fake-scenario", "overloaded");

        assertThat(r.statusCode()).isEqualTo(529);
    }

    @ParameterizedTest
    @ValueSource(strings = {"please fake:rate_limit", "Fake:rate_limit", " fake:rate_limit"})
    void markerCountsOnlyAtTheVeryStartOfTheLastUserMessage(String text) throws Exception {
        assertThat(http.post("/v1/messages", UpstreamHttp.messages(text, 10, false)).statusCode()).isEqualTo(200);
    }

    @Test
    void onlyTheLastUserMessageChoosesTheScenario() throws Exception {
        String body = """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"fake:overloaded"},
                 {"role":"assistant","content":"ok"},{"role":"user","content":"and now?"}]}""";

        assertThat(http.post("/v1/messages", body).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownScenarioIsRefusedWith400ListingTheKnownNames() throws Exception {
        HttpResponse<String> byHeader = http.get("/v1/models", "x-fake-scenario", "explode");
        HttpResponse<String> byText = http.post("/v1/messages", UpstreamHttp.messages("fake:explode now", 10, false));

        assertThat(byHeader.statusCode()).isEqualTo(400);
        assertThat(UpstreamHttp.json(byHeader.body()).path("error").path("message").asText())
                .startsWith("unknown fake scenario 'explode' in the x-fake-scenario header; known scenarios: rate_limit")
                .contains("mid_stream_error", "no_final_blank", "hang", "big");
        assertThat(byText.statusCode()).isEqualTo(400);
    }

    @Test
    void hangReadsTheRequestAndNeverAnswers() throws Exception {
        HttpRequest request = http.request("/v1/messages").timeout(Duration.ofMillis(400))
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages("fake:hang", 10, false))).build();

        assertThatThrownBy(() -> http.send(request)).isInstanceOf(HttpTimeoutException.class);
        RecordedExchange recorded = upstream.exchanges().get(0);
        assertThat(recorded.status()).isZero();
        assertThat(recorded.responseBody()).isEmpty();
        assertThat(recorded.requestBodyText()).contains("fake:hang");
    }

    @Test
    void hangByHeaderWorksOnAnyEndpoint() throws Exception {
        HttpRequest request = http.request("/v1/models").header("x-fake-scenario", "hang").timeout(Duration.ofMillis(300)).GET().build();

        assertThatThrownBy(() -> http.send(request)).isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void closingTheFakeDropsAHangingRequestWithoutAnAnswer() throws Exception {
        FakeUpstream own = FakeUpstream.start(FakeUpstreamOptions.defaults(UpstreamHttp.KEY));
        String body = UpstreamHttp.messages("fake:hang", 10, false);
        try (Socket socket = new Socket("127.0.0.1", own.port())) {
            socket.setSoTimeout(3_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + UpstreamHttp.KEY
                    + "\r\nanthropic-version: 2023-06-01\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(300);
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
            socket.setSoTimeout(3_000);

            long start = System.nanoTime();
            own.close();
            long closeMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(closeMs).isLessThan(2_000);
            assertThat(readUntilClosed(in)).isEmpty();
        }
    }

    @Test
    void bigAnswerIsAboutOneMebibyteOfJson() throws Exception {
        HttpResponse<String> r = http.post("/v1/messages", UpstreamHttp.messages("fake:big", 10, false));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode m = UpstreamHttp.json(r.body());
        String text = m.path("content").get(0).path("text").asText();
        assertThat(text.length()).isGreaterThanOrEqualTo(1 << 20);
        assertThat(m.path("usage").path("output_tokens").asInt()).isEqualTo(text.split(" ").length);
        assertThat(m.path("stop_reason").asText()).isEqualTo("end_turn");
    }

    @Test
    void streamOnlyScenariosGiveAnOrdinaryJsonAnswerWhenNotStreaming() throws Exception {
        HttpResponse<String> r = http.post("/v1/messages", UpstreamHttp.messages("fake:crlf hello", 100, false));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(UpstreamHttp.json(r.body()).path("content").get(0).path("text").asText()).endsWith("You said: hello");
    }

    private static String readUntilClosed(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return ""; // reset without an answer
        }
    }
}
