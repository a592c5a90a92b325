package dev.keywarden.e2e;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.models.ModelInfo;
import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official Java SDK, changed only in base URL and key, works through the gateway. */
class JavaSdkIT {

    static TestGateway gw;
    static AnthropicClient client;

    @BeforeAll
    static void start() throws IOException {
        gw = TestGateway.start(Map.of());
        client = AnthropicOkHttpClient.builder().baseUrl(gw.gateway.baseUri().toString()).apiKey(gw.virtualKey).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        gw.close();
    }

    private static MessageCreateParams params(String text) {
        return MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(128).addUserMessage(text).build();
    }

    @Test
    void plainMessageReturnsAFullMessage() {
        Message m = client.messages().create(params("Hello from Java"));
        assertThat(m.content()).isNotEmpty();
        assertThat(m.content().get(0).text().map(TextBlock::text).orElse("")).isNotBlank();
        assertThat(m.usage().inputTokens()).isPositive();
        assertThat(m.usage().outputTokens()).isPositive();
        assertThat(m.stopReason()).isPresent();
        assertThat(gw.upstream.exchanges().get(gw.upstream.exchanges().size() - 1).header("x-api-key")).isEqualTo(gw.providerKey);
    }

    @Test
    void streamedMessageArrivesIncrementallyAndAccumulatesToTheFinalMessage() {
        MessageAccumulator acc = MessageAccumulator.create();
        List<String> deltas = new ArrayList<>();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params("Stream from Java"))) {
            stream.stream().forEach(event -> {
                acc.accumulate(event);
                event.contentBlockDelta().flatMap(d -> d.delta().text()).ifPresent(t -> deltas.add(t.text()));
            });
        }
        Message finalMessage = acc.message();
        assertThat(deltas).hasSizeGreaterThan(1);
        assertThat(finalMessage.content().get(0).text().orElseThrow().text()).isEqualTo(String.join("", deltas));
        assertThat(finalMessage.usage().outputTokens()).isPositive();
    }

    @Test
    void countTokensAnswers() {
        long n = client.messages().countTokens(MessageCountTokensParams.builder().model("claude-sonnet-4-5")
                .addUserMessage("count these tokens").build()).inputTokens();
        assertThat(n).isPositive();
    }

    @Test
    void modelsAreListed() {
        List<ModelInfo> models = client.models().list().data();
        assertThat(models).isNotEmpty();
        assertThat(models.get(0).id()).startsWith("claude-");
    }

    @Test
    void upstream429SurfacesAsTheSdkRateLimitException() {
        assertThatThrownBy(() -> client.messages().create(params("fake:rate_limit")))
                .isInstanceOf(RateLimitException.class);
    }

    @Test
    void wrongVirtualKeySurfacesAsTheSdkAuthenticationException() {
        AnthropicClient bad = AnthropicOkHttpClient.builder().baseUrl(gw.gateway.baseUri().toString())
                .apiKey("kw_wrong").maxRetries(0).build();
        try {
            assertThatThrownBy(() -> bad.messages().create(params("hi"))).isInstanceOf(UnauthorizedException.class);
        } finally {
            bad.close();
        }
    }

    @Test
    void bearerTokenFromTheSdkAuthTokenOptionIsAccepted() {
        AnthropicClient bearer = AnthropicOkHttpClient.builder().baseUrl(gw.gateway.baseUri().toString())
                .authToken(gw.virtualKey).maxRetries(0).build();
        try {
            assertThat(bearer.messages().create(params("hi")).content()).isNotEmpty();
        } finally {
            bearer.close();
        }
    }
}
