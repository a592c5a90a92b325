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
