package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.anthropic.models.models.ModelInfo;
import com.anthropic.models.models.ModelListParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The official Java SDK as a real client: if it parses the fake, the fake is faithful where it matters. */
class AnthropicSdkAgainstFakeUpstreamIT {

    private static final String MODEL = "claude-sonnet-4-5-20250929";

    private static FakeUpstream upstream;
    private static AnthropicClient client;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start(FakeUpstreamOptions.defaults(UpstreamHttp.KEY));
        client = sdk(UpstreamHttp.KEY);
    }

    @AfterAll
    static void stop() {
        client.close();
        upstream.close();
    }

    private static AnthropicClient sdk(String key) {
        return AnthropicOkHttpClient.builder()
                .apiKey(key)
                .baseUrl(upstream.baseUri().toString())
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    private static MessageCreateParams params(String text, long maxTokens) {
        return MessageCreateParams.builder().model(MODEL).maxTokens(maxTokens).addUserMessage(text).build();
    }

    private static Message streamed(String text) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params(text, 100))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message();
    }

    private static String text(Message m) {
        return m.content().get(0).text().orElseThrow().text();
    }

    @Test
    void sdkReadsAMessageWithUsage() {
        Message m = client.messages().create(params("Hello from the SDK", 100));

        assertThat(text(m)).isEqualTo("This is a simulated reply from Keywarden's fake upstream. You said: Hello from the SDK");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().inputTokens()).isEqualTo("Hello from the SDK".length() / 4);
        assertThat(m.usage().outputTokens()).isEqualTo(15);
        assertThat(m.model().asString()).isEqualTo(MODEL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "fake:crlf ", "fake:cr ", "fake:padded ", "fake:multi_data ", "fake:unknown_event ",
            "fake:pings "})
    void sdkAccumulatesEveryStreamShapeToTheSameMessage(String marker) {
        Message m = streamed(marker + "stream shapes");

        assertThat(text(m)).isEqualTo("This is a simulated reply from Keywarden's fake upstream. You said: stream shapes");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().outputTokens()).isEqualTo(13);
        assertThat(m.usage().inputTokens()).isEqualTo((marker + "stream shapes").length() / 4);
    }

    private static MessageCreateParams toolParams(String text) {
        com.anthropic.models.messages.Tool weather = com.anthropic.models.messages.Tool.builder()
                .name("get_weather")
                .inputSchema(com.anthropic.models.messages.Tool.InputSchema.builder()
                        .properties(com.anthropic.core.JsonValue.from(java.util.Map.of("city", java.util.Map.of("type", "string"))))
                        .required(List.of("city"))
                        .build())
                .build();
        return MessageCreateParams.builder().model(MODEL).maxTokens(100).addUserMessage(text).addTool(weather)
                .toolChoice(com.anthropic.models.messages.ToolChoiceAny.builder().build()).build();
    }

    @Test
    void sdkReadsAToolUseAnswerAndAccumulatesItsStreamedInput() {
        Message whole = client.messages().create(toolParams("weather in Oslo?"));
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(toolParams("weather in Oslo?"))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        Message streamed = accumulator.message();

        for (Message m : List.of(whole, streamed)) {
            assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
            com.anthropic.models.messages.ToolUseBlock call = m.content().get(0).toolUse().orElseThrow();
            assertThat(call.name()).isEqualTo("get_weather");
            assertThat(call.id()).startsWith("toolu_01");
            assertThat(call._input().toString()).contains("city");
        }
    }

    /**
     * Documents a finding: the Java SDK (3.12) follows the SSE spec strictly and discards a last
     * event that lacks its blank line, so it never sees that {@code message_stop}. A gateway must
     * therefore pass stream bytes through unchanged and never drop a final blank line itself.
     */
    @Test
    void javaSdkDropsAFinalEventThatLacksItsBlankLine() {
        List<String> types = new ArrayList<>();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params("fake:no_final_blank x", 100))) {
            stream.stream().forEach(e -> types.add(e.isMessageStart() ? "message_start"
                    : e.isMessageDelta() ? "message_delta"
                    : e.isMessageStop() ? "message_stop"
                    : "content_block"));
        }

        assertThat(types).first().isEqualTo("message_start");
        assertThat(types).last().isEqualTo("message_delta");
    }

    @Test
    void sdkSeesAStreamStoppedAtMaxTokens() {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params("x", 2))) {
            stream.stream().forEach(accumulator::accumulate);
        }

        assertThat(text(accumulator.message())).isEqualTo("This is");
        assertThat(accumulator.message().stopReason()).contains(StopReason.MAX_TOKENS);
    }

    @Test
    void sdkFailsOnTheMidStreamErrorEvent() {
        assertThatThrownBy(() -> streamed("fake:mid_stream_error")).isInstanceOf(AnthropicException.class)
                .hasMessageContaining("Overloaded");
    }

    @Test
    void sdkMapsErrorStatusesToItsExceptions() {
        assertThatThrownBy(() -> client.messages().create(params("fake:rate_limit", 10))).isInstanceOf(RateLimitException.class);
        assertThatThrownBy(() -> client.messages().create(params("fake:server_error", 10))).isInstanceOf(InternalServerException.class);
        assertThatThrownBy(() -> client.messages().create(params("fake:overloaded", 10)))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(529));
        assertThatThrownBy(() -> client.messages().create(params("fake:bad_gateway_html", 10)))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(502));
        assertThatThrownBy(() -> client.models().retrieve("claude-imaginary")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model(MODEL).maxTokens(0)
                .addUserMessage("x").build())).isInstanceOf(BadRequestException.class);
        AnthropicClient wrongKey = sdk("test-only-wrong-key");
        try {
            assertThatThrownBy(() -> wrongKey.models().list()).isInstanceOf(UnauthorizedException.class);
        } finally {
            wrongKey.close();
        }
    }

    @Test
    void sdkCountsTokens() {
        long tokens = client.messages().countTokens(MessageCountTokensParams.builder().model(MODEL)
                .addUserMessage("x".repeat(64)).build()).inputTokens();

        assertThat(tokens).isEqualTo(16);
    }

    @Test
    void sdkAutoPagerWalksAllModels() {
        List<String> paged = new ArrayList<>();
        client.models().list(ModelListParams.builder().limit(2).build()).autoPager().forEach(m -> paged.add(m.id()));

        List<String> all = client.models().list().data().stream().map(ModelInfo::id).toList();
        assertThat(paged).isEqualTo(all).hasSizeGreaterThan(2);
        assertThat(client.models().retrieve("claude-opus-4-5").id()).isEqualTo("claude-opus-4-5-20251101");
    }

    @Test
    void sdkRunsABatchToItsResults() {
        BatchCreateParams.Request.Params p = BatchCreateParams.Request.Params.builder()
                .model(MODEL).maxTokens(100).addUserMessage("batched").build();
        MessageBatch batch = client.messages().batches().create(BatchCreateParams.builder()
                .addRequest(BatchCreateParams.Request.builder().customId("one").params(p).build())
                .addRequest(BatchCreateParams.Request.builder().customId("two").params(p).build())
                .build());

        assertThat(client.messages().batches().retrieve(batch.id()).processingStatus().asString()).isEqualTo("ended");
        List<MessageBatchIndividualResponse> results = new ArrayList<>();
        try (StreamResponse<MessageBatchIndividualResponse> stream = client.messages().batches().resultsStreaming(batch.id())) {
            stream.stream().forEach(results::add);
        }
        assertThat(results).extracting(MessageBatchIndividualResponse::customId).containsExactly("one", "two");
        assertThat(results.get(0).result().succeeded().orElseThrow().message().content().get(0).text().orElseThrow().text())
                .endsWith("You said: batched");
        assertThat(client.messages().batches().delete(batch.id()).id()).isEqualTo(batch.id());
    }
}
