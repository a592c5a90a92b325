package dev.keywarden.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonBodyInspectorTest {

    private static RequestSummary inspect(String json) throws JsonBodyInspector.InvalidBody {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return JsonBodyInspector.inspect(b, b.length);
    }

    @Test
    void readsModelStreamAndMaxTokensFromTopLevelOnly() throws Exception {
        RequestSummary s = inspect("{\"messages\":[{\"role\":\"user\",\"content\":{\"model\":\"inner\",\"stream\":true}}],"
                + "\"model\":\"claude-x\",\"max_tokens\":77,\"stream\":true,\"unknown_future_field\":{\"a\":[1,2]}}");
        assertThat(s.model()).isEqualTo("claude-x");
        assertThat(s.maxTokens()).isEqualTo(77);
        assertThat(s.stream()).isTrue();
    }

    @Test
    void nestedFieldsNamedLikeTopLevelOnesAreIgnored() throws Exception {
        RequestSummary s = inspect("{\"metadata\":{\"model\":\"evil\",\"stream\":true,\"max_tokens\":1}}");
        assertThat(s.model()).isNull();
        assertThat(s.stream()).isFalse();
        assertThat(s.maxTokens()).isEqualTo(-1);
    }

    @Test
    void malformedJsonIsRejectedWithPosition() {
        assertThatThrownBy(() -> inspect("{\"model\": broken")).hasMessageStartingWith("request body is not valid JSON");
        assertThatThrownBy(() -> inspect("{\"a\":1")).hasMessageStartingWith("request body is not valid JSON");
        assertThatThrownBy(() -> inspect("[1,2]")).hasMessage("request body must be a JSON object");
        assertThatThrownBy(() -> inspect("{} {}")).hasMessage("request body has content after the JSON object");
        assertThatThrownBy(() -> inspect("\"x\"")).hasMessage("request body must be a JSON object");
    }
}
