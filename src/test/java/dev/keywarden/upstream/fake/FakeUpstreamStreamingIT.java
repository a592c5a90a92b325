package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FakeUpstreamStreamingIT {

    private static final String PROMPT = "stream this please";
    private static final List<String> KNOWN_ORDER_HEAD = List.of("message_start", "content_block_start", "ping");
    private static final List<String> KNOWN_ORDER_TAIL = List.of("content_block_stop", "message_delta", "message_stop");

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

    private static HttpResponse<String> stream(String text, int maxTokens, String... headers) throws Exception {
        return http.post("/v1/messages", UpstreamHttp.messages(text, maxTokens, true), headers);
    }

    private static String expectedText(String prompt) throws Exception {
        JsonNode m = UpstreamHttp.json(http.post("/v1/messages", UpstreamHttp.messages(prompt, 100, false)).body());
        return m.path("content").get(0).path("text").asText();
    }

    private static String deltaText(List<Sse.Event> events) {
        StringBuilder sb = new StringBuilder();
        for (Sse.Event e : events) {
            if (e.event().equals("content_block_delta")) {
                sb.append(UpstreamHttp.json(e.data()).path("delta").path("text").asText());
            }
        }
        return sb.toString();
    }

    private static List<String> withoutDeltas(List<Sse.Event> events) {
        return Sse.names(events).stream().filter(n -> !n.equals("content_block_delta")).toList();
    }

    @Test
    void streamFollowsTheRealEventOrderWithCumulativeUsage() throws Exception {
        HttpResponse<String> r = stream(PROMPT, 100);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(r.headers().firstValue("anthropic-ratelimit-requests-limit")).isPresent();
        List<Sse.Event> events = Sse.parse(r.body());
        List<String> names = Sse.names(events);
        int deltas = (int) names.stream().filter(n -> n.equals("content_block_delta")).count();
        assertThat(names.subList(0, 3)).isEqualTo(KNOWN_ORDER_HEAD);
        assertThat(names.subList(3, 3 + deltas)).allMatch(n -> n.equals("content_block_delta"));
        assertThat(names.subList(3 + deltas, names.size())).isEqualTo(KNOWN_ORDER_TAIL);
        events.forEach(e -> assertThat(UpstreamHttp.json(e.data()).path("type").asText()).isEqualTo(e.event()));

        assertThat(deltaText(events)).isEqualTo(expectedText(PROMPT));
        JsonNode start = UpstreamHttp.json(events.get(0).data()).path("message");
        assertThat(start.path("id").asText()).startsWith("msg_01");
        assertThat(start.path("content").isEmpty()).isTrue();
        assertThat(start.get("stop_reason").isNull()).isTrue();
        JsonNode delta = UpstreamHttp.json(events.get(names.indexOf("message_delta")).data());
        assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(delta.path("usage").path("output_tokens").asInt()).isEqualTo(deltas);
        assertThat(delta.path("usage").path("input_tokens").asInt())
                .isEqualTo(start.path("usage").path("input_tokens").asInt())
                .isEqualTo(PROMPT.length() / 4);
    }

    @Test
    void messageStopIsPaddedWithSpacesLikeTheRealApi() throws Exception {
        assertThat(stream(PROMPT, 100).body()).endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"              }\n\n");
    }

    @Test
    void streamStopsAtMaxTokensWithStopReasonMaxTokens() throws Exception {
        List<Sse.Event> events = Sse.parse(stream(PROMPT, 2).body());

        assertThat(deltaText(events)).isEqualTo("This is");
        JsonNode delta = UpstreamHttp.json(events.get(Sse.names(events).indexOf("message_delta")).data());
        assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(delta.path("usage").path("output_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void crlfScenarioEndsEveryLineWithCarriageReturnLineFeed() throws Exception {
        String body = stream(PROMPT, 100, "x-fake-scenario", "crlf").body();

        assertThat(body).contains("\r\n\r\n");
        assertThat(body.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
        assertThat(deltaText(Sse.parse(body))).isEqualTo(expectedText(PROMPT));
    }

    @Test
    void crScenarioEndsEveryLineWithABareCarriageReturn() throws Exception {
        String body = stream(PROMPT, 100, "x-fake-scenario", "cr").body();

        assertThat(body).contains("\r\r").doesNotContain("\n");
        assertThat(withoutDeltas(Sse.parse(body))).isEqualTo(withoutDeltas(Sse.parse(stream(PROMPT, 100).body())));
        assertThat(deltaText(Sse.parse(body))).isEqualTo(expectedText(PROMPT));
    }

    @Test
    void paddedScenarioPadsEveryDataJsonWithSpaces() throws Exception {
        String body = stream(PROMPT, 100, "x-fake-scenario", "padded").body();

        List<String> dataLines = body.lines().filter(l -> l.startsWith("data:")).toList();
        assertThat(dataLines).isNotEmpty().allMatch(l -> l.matches("data: \\{ .* +}"));
        assertThat(deltaText(Sse.parse(body))).isEqualTo(expectedText(PROMPT));
    }

    @Test
    void multiDataScenarioSplitsPayloadsOverSeveralDataLines() throws Exception {
        String body = stream(PROMPT, 100, "x-fake-scenario", "multi_data").body();

        assertThat(body).contains("data: {\"type\":\"content_block_delta\",\ndata: \"index\":0");
        List<Sse.Event> events = Sse.parse(body);
        assertThat(events).allSatisfy(e -> assertThat(e.data()).contains("\n"));
        assertThat(deltaText(events)).isEqualTo(expectedText(PROMPT));
    }

    @Test
    void unknownEventScenarioAddsEventsClientsMustIgnore() throws Exception {
        List<Sse.Event> events = Sse.parse(stream(PROMPT, 100, "x-fake-scenario", "unknown_event").body());

        List<String> names = Sse.names(events);
        assertThat(names).filteredOn(n -> n.equals(MessageJson.UNKNOWN_EVENT_TYPE)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(names.get(1)).isEqualTo(MessageJson.UNKNOWN_EVENT_TYPE);
        List<String> known = names.stream().filter(n -> !n.equals(MessageJson.UNKNOWN_EVENT_TYPE)).toList();
        assertThat(known).isEqualTo(Sse.names(Sse.parse(stream(PROMPT, 100).body())));
    }

    @Test
    void noFinalBlankScenarioEndsWithoutTheLastBlankLine() throws Exception {
        String body = stream(PROMPT, 100, "x-fake-scenario", "no_final_blank").body();

        assertThat(body).endsWith("data: {\"type\":\"message_stop\"              }\n");
        assertThat(Sse.names(Sse.parse(body))).last().isEqualTo("message_stop");
    }

    @Test
    void pingsScenarioPutsAPingBetweenEveryTwoDeltas() throws Exception {
        List<String> names = Sse.names(Sse.parse(stream(PROMPT, 100, "x-fake-scenario", "pings").body()));

        for (int i = 1; i < names.size(); i++) {
            if (names.get(i).equals("content_block_delta") && names.get(i - 1).equals("content_block_delta")) {
                throw new AssertionError("two deltas without a ping between them at " + i + ": " + names);
            }
        }
        assertThat(names.stream().filter(n -> n.equals("ping")).count())
                .isEqualTo(names.stream().filter(n -> n.equals("content_block_delta")).count());
    }

    @Test
    void midStreamErrorScenarioSendsThreeDeltasThenAnOverloadedErrorEventAndEnds() throws Exception {
        int cancelledBefore = upstream.cancelledStreams();
        HttpResponse<String> r = stream("fake:mid_stream_error boom", 100);

        assertThat(r.statusCode()).isEqualTo(200);
        List<Sse.Event> events = Sse.parse(r.body());
        assertThat(Sse.names(events)).containsExactly("message_start", "content_block_start", "ping",
                "content_block_delta", "content_block_delta", "content_block_delta", "error");
        JsonNode error = UpstreamHttp.json(events.get(events.size() - 1).data());
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("error").path("type").asText()).isEqualTo("overloaded_error");
        assertThat(upstream.cancelledStreams()).isEqualTo(cancelledBefore);
    }

    @Test
    void textMarkerChoosesAScenarioLikeTheHeader() throws Exception {
        String byText = stream("fake:crlf " + PROMPT, 100).body();

        assertThat(byText).contains("\r\n");
        assertThat(deltaText(Sse.parse(byText))).isEqualTo(expectedText(PROMPT));
    }

    @Test
    void bigScenarioStreamsAboutOneMebibyteOfText() throws Exception {
        List<Sse.Event> events = Sse.parse(stream("fake:big", 10).body());

        String text = deltaText(events);
        assertThat(text.length()).isGreaterThanOrEqualTo(1 << 20);
        JsonNode delta = UpstreamHttp.json(events.get(Sse.names(events).indexOf("message_delta")).data());
        assertThat(delta.path("usage").path("output_tokens").asInt()).isEqualTo(text.split(" ").length);
    }

    @Test
    void slowScenarioSendsTwoHundredDeltasTwentyFiveMillisecondsApart() throws Exception {
        long start = System.nanoTime();
        List<Sse.Event> events = Sse.parse(stream("fake:slow", 10).body());
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(Sse.names(events).stream().filter(n -> n.equals("content_block_delta")).count()).isEqualTo(200);
        assertThat(tookMs).isGreaterThanOrEqualTo(199 * 25);
        assertThat(Sse.names(events)).last().isEqualTo("message_stop");
    }

    @Test
    void eventsAreFlushedAsTheyAreWrittenSoTheFirstByteArrivesEarly() throws Exception {
        try (FakeUpstream paced = FakeUpstream.start(FakeUpstreamOptions.defaults(UpstreamHttp.KEY).withTokensPerSecond(20));
             UpstreamHttp client = new UpstreamHttp(paced)) {
            HttpRequest request = client.request("/v1/messages")
                    .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages(PROMPT, 100, true))).build();
            long start = System.nanoTime();
            HttpResponse<InputStream> r = client.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            List<Long> eventArrivalsMs = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("event: ")) {
                        eventArrivalsMs.add((System.nanoTime() - start) / 1_000_000);
                    }
                }
            }
            long deltas = Sse.names(Sse.parse(paced.exchanges().get(0).responseBodyText())).stream()
                    .filter(n -> n.equals("content_block_delta")).count();

            assertThat(eventArrivalsMs.get(0)).isLessThan(300);
            long last = eventArrivalsMs.get(eventArrivalsMs.size() - 1);
            assertThat(last - eventArrivalsMs.get(0)).isGreaterThanOrEqualTo((deltas - 1) * 50 - 10);
        }
    }

    @Test
    void latencyDelaysTheFirstByteOfAStream() throws Exception {
        HttpRequest request = http.request("/v1/messages").header("x-fake-latency-ms", "300")
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages(PROMPT, 100, true))).build();
        long start = System.nanoTime();
        HttpResponse<InputStream> r = http.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            in.read();
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
            in.readAllBytes();
        }
    }

    @Test
    void clientClosingTheSocketMidStreamIsCountedAsCancelledPromptly() throws Exception {
        int before = upstream.cancelledStreams();
        String body = UpstreamHttp.messages("fake:slow", 10, true);
        long closedAt;
        try (Socket socket = new Socket("127.0.0.1", upstream.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + UpstreamHttp.KEY
                    + "\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\ncontent-length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int deltasSeen = 0;
            String line;
            while (deltasSeen < 3 && (line = reader.readLine()) != null) {
                if (line.equals("event: content_block_delta")) {
                    deltasSeen++;
                }
            }
            assertThat(deltasSeen).isEqualTo(3);
            closedAt = System.nanoTime();
        }

        assertThat(upstream.awaitCancelledStreams(before + 1, Duration.ofSeconds(10))).isTrue();
        long noticedMs = (System.nanoTime() - closedAt) / 1_000_000;
        System.out.println("disconnect noticed after " + noticedMs + " ms");
        assertThat(noticedMs).as("ms from disconnect to cancellation").isLessThan(300);
        RecordedExchange recorded = upstream.exchanges().get(0);
        assertThat(recorded.responseBodyText()).contains("content_block_delta").doesNotContain("message_stop");
    }

    @Test
    void httpClientAbandoningTheBodyMidStreamIsCountedAsCancelled() throws Exception {
        int before = upstream.cancelledStreams();
        HttpRequest request = http.request("/v1/messages")
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages("fake:slow", 10, true))).build();
        HttpResponse<InputStream> r = http.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            in.readNBytes(600);
        }

        assertThat(upstream.awaitCancelledStreams(before + 1, Duration.ofSeconds(10))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "crlf", "pings", "big"})
    void completedStreamsAreNotCountedAsCancelled(String scenario) throws Exception {
        int before = upstream.cancelledStreams();

        HttpResponse<String> r = scenario.isEmpty() ? stream(PROMPT, 100) : stream(PROMPT, 100, "x-fake-scenario", scenario);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(upstream.awaitCancelledStreams(before + 1, Duration.ofMillis(200))).isFalse();
    }
}
