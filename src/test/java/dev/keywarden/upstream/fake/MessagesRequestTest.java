package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessagesRequestTest {

    private static MessagesRequest parse(String json) {
        return MessagesRequest.forMessages(RequestJson.parseObject(json.getBytes(StandardCharsets.UTF_8)), "");
    }

    @Test
    void readsModelBudgetStreamAndTheLastUserMessagesFirstText() {
        MessagesRequest r = parse("""
                {"model":"m","max_tokens":7,"stream":true,"system":"abcd","messages":[
                  {"role":"user","content":"first"},
                  {"role":"assistant","content":"ok"},
                  {"role":"user","content":[{"type":"image","source":{}},{"type":"text","text":"fake:pings later"}]}]}""");

        assertThat(r.model()).isEqualTo("m");
        assertThat(r.maxTokens()).isEqualTo(7);
        assertThat(r.stream()).isTrue();
        assertThat(r.lastUserText()).isEqualTo("fake:pings later");
        assertThat(r.scenarioFromText()).isEqualTo(Scenario.PINGS);
        assertThat(r.echoText()).isEqualTo("later");
    }

    @Test
    void inputTokensAreUtf8PromptBytesOverFourAndAtLeastOne() {
        assertThat(parse("{\"model\":\"m\",\"max_tokens\":1,\"system\":\"12345678\",\"messages\":[{\"role\":\"user\",\"content\":\"éééé\"}]}")
                .inputTokens()).isEqualTo((8 + 8) / 4);
        assertThat(parse("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}")
                .inputTokens()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}                 | model: Field required",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}                  | max_tokens: Field required",
            "{\"model\":\"m\",\"max_tokens\":1}                                                      | messages: Field required",
            "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]} | max_tokens: Input should be greater than or equal to 1",
            "{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]} | max_tokens: Input should be a valid integer",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}                                      | messages: at least one message is required",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"bot\",\"content\":\"a\"}]}  | messages.0.role: Input should be 'user' or 'assistant'",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\"}]}                   | messages.0.content: Field required",
            "{\"model\":\"m\",\"max_tokens\":1,\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]} | stream: Input should be a valid boolean",
            "[1,2]                                                                                  | Request body must be a JSON object",
            "{\"model\":                                                                            | Request body is not valid JSON at line 1, column 10",
    })
    void invalidBodiesAreRefusedNamingTheField(String body, String message) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessage(message);
    }

    private static final String CLAUDE_CODE_SHAPE = """
            {"model":"claude-opus-4-8","max_tokens":64,"messages":[
              {"role":"user","content":[{"type":"text","text":"<system-reminder>context</system-reminder>"},{"type":"text","text":"say hi"}]},
              {"role":"system","content":[{"type":"text","text":"# Environment"}]}]}""";

    private static MessagesRequest parse(String json, String betaHeader) {
        org.eclipse.jetty.http.HttpFields headers = betaHeader == null
                ? org.eclipse.jetty.http.HttpFields.EMPTY
                : org.eclipse.jetty.http.HttpFields.build().add("anthropic-beta", betaHeader);
        return MessagesRequest.forMessages(RequestJson.parseObject(json.getBytes(StandardCharsets.UTF_8)), "", Betas.of(headers));
    }

    @Test
    void aMidConversationSystemMessageIsAcceptedUnderItsBetaAndCountsAsPrompt() {
        MessagesRequest r = parse(CLAUDE_CODE_SHAPE, "claude-code-20250219, Mid-Conversation-System-2026-04-07");
        assertThat(r.lastUserText()).as("the prompt is the last text block, after the context blocks").isEqualTo("say hi");
        assertThat(r.promptBytes()).isEqualTo("<system-reminder>context</system-reminder>".length() + "say hi".length()
                + "# Environment".length());
        assertThat(parse(CLAUDE_CODE_SHAPE, "per-turn-control-2026-07-01").lastUserText()).isEqualTo("say hi");
    }

    @Test
    void aMidConversationSystemMessageWithoutTheBetaIsRefusedInTheRealApisWords() {
        String words = "messages: Unexpected role \"system\". The Messages API accepts a top-level `system` parameter,"
                + " not \"system\" as an input message role.";
        assertThatThrownBy(() -> parse(CLAUDE_CODE_SHAPE, null)).hasMessage(words)
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.type()).isEqualTo("invalid_request_error"));
        assertThatThrownBy(() -> parse(CLAUDE_CODE_SHAPE, "claude-code-20250219")).hasMessage(words);
    }

    @Test
    void readsToolsToolChoiceAndTheToolResultOfAFollowUp() {
        MessagesRequest r = parse("""
                {"model":"m","max_tokens":64,"tools":[{"name":"Read","input_schema":{"type":"object"}},{"type":"web_search_20250305","name":"web_search"},{"x":1}],
                 "tool_choice":{"type":"tool","name":"Read"},
                 "messages":[{"role":"user","content":"read it"},
                   {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Read","input":{}}]},
                   {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"line one"}]}]}]}""", null);
        assertThat(r.tools()).extracting(MessagesRequest.OfferedTool::name).containsExactly("Read", "web_search");
        assertThat(r.tools().get(1).inputSchema()).isNull();
        assertThat(r.toolChoice()).isEqualTo(new MessagesRequest.ToolChoice("tool", "Read"));
        assertThat(r.toolResultText()).isEqualTo("line one");
        assertThat(r.lastUserText()).isEmpty();
        assertThat(parse("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}", null).toolResultText())
                .isNull();
    }

    @Test
    void unknownScenarioMarkerIsRefusedListingTheKnownOnes() {
        assertThatThrownBy(() -> parse("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"fake:nope x\"}]}")
                .scenarioFromText())
                .hasMessageStartingWith("unknown fake scenario 'nope' in the last user message; known scenarios: rate_limit, overloaded");
    }

    @Test
    void syntaxErrorMessageNeverQuotesTheBody() {
        assertThatThrownBy(() -> RequestJson.parseObject("{\"k\":\"sk-ant-test-do-not-echo\" oops}".getBytes(StandardCharsets.UTF_8)))
                .message().doesNotContain("sk-ant").doesNotContain("oops");
    }
}
