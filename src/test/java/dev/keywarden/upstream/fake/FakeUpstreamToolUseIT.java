package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tool use and mid-conversation system messages on the wire, as the real API answers them. */
class FakeUpstreamToolUseIT {

    private static final String TOOLS = "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather of a city\","
            + "\"input_schema\":{\"type\":\"object\",\"required\":[\"city\",\"unit\"],\"properties\":{\"city\":{\"type\":\"string\"},"
            + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}}}}]";

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

    private static String body(String extra, String messages) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":200," + extra + "\"messages\":" + messages + "}";
    }

    @Test
    void toolChoiceToolIsAnsweredWithAToolUseBlockMatchingTheSchema() throws Exception {
        HttpResponse<String> r = http.post("/v1/messages", body(TOOLS + ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"},",
                "[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}]"));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode m = UpstreamHttp.json(r.body());
        assertThat(m.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(m.path("content")).hasSize(1);
        JsonNode block = m.path("content").get(0);
        assertThat(block.path("type").asText()).isEqualTo("tool_use");
        assertThat(block.path("id").asText()).startsWith("toolu_01");
        assertThat(block.path("name").asText()).isEqualTo("get_weather");
        assertThat(block.path("input").toString()).isEqualTo("{\"city\":\"\",\"unit\":\"celsius\"}");
        assertThat(m.at("/usage/output_tokens").asInt()).isPositive();
    }

    @Test
    void aStreamedToolUseArrivesAsInputJsonDeltasThatJoinToTheInput() throws Exception {
        String input = "{\"city\":\"Paris, the capital of France\",\"unit\":\"celsius\"}";
        HttpResponse<String> r = http.post("/v1/messages", body(TOOLS + ",\"stream\":true,",
                "[{\"role\":\"user\",\"content\":" + Json.quote("fake:tool_use get_weather " + input) + "}]"));

        assertThat(r.statusCode()).isEqualTo(200);
        List<Sse.Event> events = Sse.parse(r.body());
        assertThat(Sse.names(events)).startsWith("message_start", "content_block_start", "ping", "content_block_delta")
                .endsWith("content_block_stop", "message_delta", "message_stop");
        JsonNode start = events.stream().filter(e -> e.event().equals("content_block_start")).map(e -> UpstreamHttp.json(e.data()))
                .filter(d -> d.at("/content_block/type").asText().equals("tool_use")).findFirst().orElseThrow();
        assertThat(start.path("index").asInt()).as("after the text block").isEqualTo(1);
        assertThat(start.at("/content_block/name").asText()).isEqualTo("get_weather");
        assertThat(start.at("/content_block/input").toString()).isEqualTo("{}");
        StringBuilder joined = new StringBuilder();
        int deltas = 0;
        for (Sse.Event e : events) {
            JsonNode d = UpstreamHttp.json(e.data());
            if (d.at("/delta/type").asText().equals("input_json_delta")) {
                assertThat(d.path("index").asInt()).isEqualTo(1);
                joined.append(d.at("/delta/partial_json").asText());
                deltas++;
            }
        }
        assertThat(deltas).isGreaterThan(2);
        assertThat(UpstreamHttp.json(joined.toString())).isEqualTo(UpstreamHttp.json(input));
        JsonNode delta = events.stream().filter(e -> e.event().equals("message_delta")).map(e -> UpstreamHttp.json(e.data()))
                .findFirst().orElseThrow();
        assertThat(delta.at("/delta/stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void aToolResultFollowUpGetsATextAnswerSoTheRoundTripEnds() throws Exception {
        HttpResponse<String> first = http.post("/v1/messages", body(TOOLS + ",", "[{\"role\":\"user\",\"content\":\"weather?\"}]"),
                "x-fake-scenario", "tool_use");
        JsonNode call = UpstreamHttp.json(first.body()).path("content").get(1);
        String followUp = "[{\"role\":\"user\",\"content\":\"weather?\"},{\"role\":\"assistant\",\"content\":"
                + UpstreamHttp.json(first.body()).path("content") + "},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"" + call.path("id").asText() + "\",\"content\":\"sunny, 21 degrees\"}]}]";

        HttpResponse<String> second = http.post("/v1/messages", body(TOOLS + ",", followUp), "x-fake-scenario", "tool_use");

        assertThat(second.statusCode()).isEqualTo(200);
        JsonNode m = UpstreamHttp.json(second.body());
        assertThat(m.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(m.at("/content/0/text").asText()).endsWith("The tool returned: sunny, 21 degrees");
    }

    @Test
    void aMidConversationSystemMessageIsAcceptedUnderTheBetaAndRefusedInTheApisWordsWithoutIt() throws Exception {
        String messages = "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"again\"}]";

        HttpResponse<String> accepted = http.post("/v1/messages?beta=true", body("", messages),
                "anthropic-beta", "claude-code-20250219,mid-conversation-system-2026-04-07");
        HttpResponse<String> refused = http.post("/v1/messages", body("", messages));

        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(UpstreamHttp.json(accepted.body()).at("/content/0/text").asText()).endsWith("You said: again");
        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode error = UpstreamHttp.json(refused.body());
        assertThat(error.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.at("/error/message").asText()).isEqualTo("messages: Unexpected role \"system\". The Messages API accepts"
                + " a top-level `system` parameter, not \"system\" as an input message role.");
        assertThat(error.path("request_id").asText()).startsWith("req_");

        assertThat(http.post("/v1/messages/count_tokens?beta=true", body("", messages), "anthropic-beta", "mid-conversation-system-2026-04-07")
                .statusCode()).as("count_tokens follows the same rule").isEqualTo(200);
        assertThat(http.post("/v1/messages/count_tokens", body("", messages)).statusCode()).isEqualTo(400);
    }
}
