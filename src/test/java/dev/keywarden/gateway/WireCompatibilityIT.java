package dev.keywarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.Route;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.upstream.fake.RecordedExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests the real API accepts pass the gateway as they are, and its refusals reach the client in
 * its own words: Claude Code's mid-conversation system message (under its beta, with
 * {@code ?beta=true}), tool-use round trips (JSON and streamed, through the output guard), and the
 * API's 400 for a system message it does not accept.
 */
class WireCompatibilityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOLS = "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\","
            + "\"required\":[\"city\"],\"properties\":{\"city\":{\"type\":\"string\"}}}}]";
    static TestGateway gw;

    @BeforeAll
    static void start() throws IOException {
        gw = TestGateway.start(Map.of());
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @BeforeEach
    void clear() {
        gw.upstream.clearExchanges();
    }

    private static HttpResponse<byte[]> post(String pathAndQuery, String body, String... headers) throws Exception {
        HttpRequest.Builder b = gw.request(pathAndQuery).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return gw.send(b.build());
    }

    private static JsonNode json(byte[] body) throws IOException {
        return JSON.readTree(body);
    }

    @Test
    void aMidConversationSystemMessageUnderItsBetaIsForwardedByteForByte() throws Exception {
        String body = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"be brief\"}]},{\"role\":\"user\",\"content\":\"again\"}],"
                + "\"context_management\":{\"edits\":[]},\"output_config\":{\"effort\":\"medium\"}}";

        HttpResponse<byte[]> r = post("/v1/messages?beta=true", body, "anthropic-beta", "claude-code-20250219,mid-conversation-system-2026-04-07");

        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        RecordedExchange up = gw.upstream.exchanges().get(0);
        assertThat(up.query()).isEqualTo("beta=true");
        assertThat(up.header("anthropic-beta")).isEqualTo("claude-code-20250219,mid-conversation-system-2026-04-07");
        assertThat(up.requestBodyText()).isEqualTo(body);
        assertThat(r.headers().firstValue("keywarden-guard")).isEmpty();
    }

    @Test
    void theApisRefusalOfASystemMessageReachesTheClientInItsOwnWords() throws Exception {
        String body = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"system\",\"content\":\"be brief\"}]}";

        HttpResponse<byte[]> r = post("/v1/messages", body);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(gw.upstream.requestCount()).as("the API, not the gateway, judged it").isEqualTo(1);
        assertThat(json(r.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(json(r.body()).at("/error/message").asText()).isEqualTo("messages: Unexpected role \"system\". The Messages API"
                + " accepts a top-level `system` parameter, not \"system\" as an input message role.");
    }

    @Test
    void aToolUseRoundTripPassesThroughTheGatewayWithUsageMetered() throws Exception {
        HttpResponse<byte[]> call = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64," + TOOLS
                + ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"},\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}]}");
        assertThat(call.statusCode()).isEqualTo(200);
        JsonNode toolUse = json(call.body()).at("/content/0");
        assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");

        String followUp = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64," + TOOLS + ",\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"role\":\"assistant\",\"content\":[" + toolUse + "]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"" + toolUse.path("id").asText() + "\",\"content\":\"rain in Bergen\"}]}]}";
        HttpResponse<byte[]> answer = post("/v1/messages", followUp);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(json(answer.body()).at("/content/0/text").asText()).endsWith("The tool returned: rain in Bergen");
        List<ExchangeRecord> records = gw.records().stream().filter(x -> x.route() == Route.MESSAGES).toList();
        assertThat(records).hasSizeGreaterThanOrEqualTo(2);
        assertThat(records.get(records.size() - 2).usage().outputTokens()).isPositive();
    }

    @Test
    void aStreamedToolUseReachesTheClientIntactThroughTheOutputGuard() throws Exception {
        String input = "{\"city\":\"Oslo, a city in the south of Norway\",\"unit\":\"celsius\"}";
        HttpResponse<byte[]> r = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true," + TOOLS
                + ",\"messages\":[{\"role\":\"user\",\"content\":" + JSON.writeValueAsString("fake:tool_use get_weather " + input) + "}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        String sse = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(sse).contains("\"type\":\"tool_use\"").contains("input_json_delta").contains("\"stop_reason\":\"tool_use\"")
                .contains("event: message_stop");
        StringBuilder partial = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ") && line.contains("input_json_delta")) {
                partial.append(JSON.readTree(line.substring(6)).at("/delta/partial_json").asText());
            }
        }
        assertThat(JSON.readTree(partial.toString())).isEqualTo(JSON.readTree(input));
        assertThat(sse).isEqualTo(gw.upstream.exchanges().get(0).responseBodyText());
    }
}
