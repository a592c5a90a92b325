package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ToolCallTest {

    private static final String TOOLS = "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\",\"required\":[\"city\"],"
            + "\"properties\":{\"city\":{\"type\":\"string\"}}}},{\"name\":\"Read\",\"input_schema\":{\"type\":\"object\",\"required\":[\"file_path\"],"
            + "\"properties\":{\"file_path\":{\"type\":\"string\"}}}}]";

    private static MessagesRequest request(String extra, String userText) {
        String json = "{\"model\":\"m\",\"max_tokens\":100," + extra + "\"messages\":[{\"role\":\"user\",\"content\":"
                + Json.quote(userText) + "}]}";
        return MessagesRequest.forMessages(RequestJson.parseObject(json.getBytes(StandardCharsets.UTF_8)), "");
    }

    private static MessagesRequest followUp(String extra) {
        String json = "{\"model\":\"m\",\"max_tokens\":100," + extra + "\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"\"}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"sunny and 21 degrees\"}]}]}";
        return MessagesRequest.forMessages(RequestJson.parseObject(json.getBytes(StandardCharsets.UTF_8)), "");
    }

    @Test
    void toolChoiceNamingAToolForcesThatToolWithAMinimalInput() {
        ToolCall call = ToolCall.decide(request(TOOLS + ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"Read\"},", "hi"), Scenario.NONE);
        assertThat(call.name()).isEqualTo("Read");
        assertThat(call.inputJson()).isEqualTo("{\"file_path\":\"\"}");
        assertThat(call.forced()).isTrue();
        assertThat(call.id()).matches("toolu_01[A-Za-z0-9]{22}");
    }

    @Test
    void toolChoiceAnyForcesTheFirstToolEvenOnAFollowUpAsTheApiDoes() {
        assertThat(ToolCall.decide(request(TOOLS + ",\"tool_choice\":{\"type\":\"any\"},", "hi"), Scenario.NONE).name()).isEqualTo("get_weather");
        assertThat(ToolCall.decide(followUp(TOOLS + ",\"tool_choice\":{\"type\":\"any\"},"), Scenario.NONE)).isNotNull();
    }

    @Test
    void theScenarioCallsTheNamedToolWithTheGivenInputButNotOnATheFollowUp() {
        MessagesRequest r = request(TOOLS + ",", "fake:tool_use Read {\"file_path\": \"/tmp/a.txt\"}");
        ToolCall call = ToolCall.decide(r, r.scenarioFromText());
        assertThat(call.name()).isEqualTo("Read");
        assertThat(call.inputJson()).isEqualTo("{\"file_path\":\"/tmp/a.txt\"}");
        assertThat(call.forced()).isFalse();
        assertThat(ToolCall.decide(request(TOOLS + ",", "fake:tool_use"), Scenario.TOOL_USE).name()).isEqualTo("get_weather");
        assertThat(ToolCall.decide(followUp(TOOLS + ","), Scenario.TOOL_USE)).as("a tool result is answered in text").isNull();
    }

    @Test
    void noToolsOrToolChoiceNoneOrAutoWithoutTheScenarioMeansText() {
        assertThat(ToolCall.decide(request("", "fake:tool_use"), Scenario.TOOL_USE)).isNull();
        assertThat(ToolCall.decide(request(TOOLS + ",\"tool_choice\":{\"type\":\"none\"},", "x"), Scenario.TOOL_USE)).isNull();
        assertThat(ToolCall.decide(request(TOOLS + ",", "x"), Scenario.NONE)).isNull();
    }

    @Test
    void aFollowUpIsAnsweredWithTheToolResult() {
        SimulatedReply reply = SimulatedReply.forRequest(followUp(TOOLS + ","), Scenario.NONE);
        assertThat(reply.text()).isEqualTo(SimulatedReply.SENTENCE + " The tool returned: sunny and 21 degrees");
        assertThat(reply.stopReason()).isEqualTo("end_turn");
        assertThat(reply.toolUse()).isNull();
    }

    @Test
    void aToolUseReplySaysWhichToolThenCallsIt() {
        SimulatedReply reply = SimulatedReply.forRequest(request(TOOLS + ",", "fake:tool_use Read"), Scenario.TOOL_USE);
        assertThat(reply.text()).isEqualTo("Calling the Read tool.");
        assertThat(reply.stopReason()).isEqualTo("tool_use");
        assertThat(reply.outputTokens()).isEqualTo(4 + reply.toolUse().outputTokens());
        SimulatedReply forced = SimulatedReply.forRequest(request(TOOLS + ",\"tool_choice\":{\"type\":\"any\"},", "x"), Scenario.NONE);
        assertThat(forced.pieces()).as("a forced call has no text before it").isEmpty();
    }
}
