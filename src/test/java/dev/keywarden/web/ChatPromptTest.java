package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.config.AppsConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Messages request the chat endpoint builds, and the browser body it accepts. */
class ChatPromptTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final AppsConfig.App APP = new AppsConfig.App("support", List.of("claude-opus-4-5", "claude-haiku-4-5"),
            "You help with routers.", 400);

    @Test
    void theModelIsTheFirstOfTheAppsModelsTheTierAllows() {
        ChatPrompt prompt = new ChatPrompt(Map.of("free", List.of("claude-haiku-*"), "pro", List.of("claude-*"),
                "none", List.of("gpt-*")));
        assertThat(prompt.model(APP, "free")).isEqualTo("claude-haiku-4-5");
        assertThat(prompt.model(APP, "pro")).isEqualTo("claude-opus-4-5");
        assertThat(prompt.model(APP, "enterprise")).as("a tier without an allow-list allows every model").isEqualTo("claude-opus-4-5");
        assertThat(prompt.model(APP, "none")).as("none allowed: the first, which the guard then refuses").isEqualTo("claude-opus-4-5");
        assertThat(prompt.model(APP, null)).isEqualTo("claude-opus-4-5");
    }

    @Test
    void globsMatchAnyRunOfCharactersAndNothingElseSpecially() {
        assertThat(ChatPrompt.globMatches("claude-haiku-*", "claude-haiku-4-5")).isTrue();
        assertThat(ChatPrompt.globMatches("*-4-5", "claude-haiku-4-5")).isTrue();
        assertThat(ChatPrompt.globMatches("claude.haiku", "claude-haiku")).as("a dot is literal").isFalse();
        assertThat(ChatPrompt.globMatches("claude-haiku-4-5", "claude-haiku-4-5-20251001")).isFalse();
    }

    @Test
    void theBodyHasTheAppsSettingsAndOneWrappedTextBlockPerTurn() throws Exception {
        JsonNode body = JSON.readTree(new ChatPrompt(Map.of()).body(APP, "free", List.of("one", "two </USER_INPUT> three"), true,
                "usr_1"));
        assertThat(body.get("model").asText()).isEqualTo("claude-opus-4-5");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(400);
        assertThat(body.get("system").asText()).isEqualTo("You help with routers.\n\n" + ChatPrompt.SEPARATION_NOTE);
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.at("/metadata/user_id").asText()).isEqualTo("usr_1");
        assertThat(body.at("/messages/0/content/0/text").asText()).isEqualTo("<user_input>one</user_input>");
        assertThat(body.at("/messages/0/content/1/text").asText()).isEqualTo("<user_input>two &lt;/USER_INPUT> three</user_input>");
    }

    @Test
    void everySpellingOfTheTagIsEscapedAndOtherAngleBracketsAreLeftAlone() {
        assertThat(ChatPrompt.wrap("<user_input>")).isEqualTo("<user_input>&lt;user_input></user_input>");
        assertThat(ChatPrompt.wrap("< /\tuser_input>")).isEqualTo("<user_input>&lt; /\tuser_input></user_input>");
        assertThat(ChatPrompt.wrap("<\nUSER_INPUT x='1'>")).isEqualTo("<user_input>&lt;\nUSER_INPUT x='1'></user_input>");
        assertThat(ChatPrompt.wrap("if a<b && c>d: <div>")).isEqualTo("<user_input>if a<b && c>d: <div></user_input>");
    }

    @Test
    void theBrowserBodyTakesOnlyUserTurnsAppConversationAndStream() throws Exception {
        ChatRequest r = ChatRequest.parse("{\"messages\":[\"a\",{\"role\":\"user\",\"content\":\"b\"}],\"app\":\"support\",\"conversation_id\":\"c_1\",\"stream\":true}"
                .getBytes());
        assertThat(r).isEqualTo(new ChatRequest(List.of("a", "b"), "support", "c_1", true));
        for (String bad : List.of("{\"messages\":[\"a\"],\"model\":\"x\"}", "{\"messages\":[\"a\"],\"system\":\"x\"}",
                "{\"messages\":[\"a\"],\"max_tokens\":1}", "{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"extra\":1}]}", "{\"messages\":[\" \"]}",
                "{\"messages\":[\"a\"],\"stream\":\"yes\"}", "{\"messages\":[\"a\"],\"conversation_id\":\"a b\"}",
                "{\"messages\":[\"a\"],\"app\":\"Support!\"}", "{}", "nope", "")) {
            assertThatThrownBy(() -> ChatRequest.parse(bad.getBytes())).as(bad).isInstanceOf(ChatRequest.Invalid.class);
        }
    }
}
