package dev.keywarden.gateway;

import dev.keywarden.pipeline.ErrorType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiErrorsTest {

    @Test
    void bodyHasAnthropicsShapeAndEscapesHostileText() throws Exception {
        byte[] body = ApiErrors.body(ErrorType.INVALID_REQUEST, "bad \"x\"\n<script> \u0001", "req_kw_1");
        JsonNode n = new ObjectMapper().readTree(body);
        assertThat(n.get("type").asText()).isEqualTo("error");
        assertThat(n.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(n.at("/error/message").asText()).isEqualTo("bad \"x\"\\n<script> \u0001");
        assertThat(n.get("request_id").asText()).isEqualTo("req_kw_1");
        assertThat(new String(body)).doesNotContain("<script>");
    }

    @Test
    void credentialsInMessagesAreRedacted() {
        String key = "sk-ant-api03-" + "k".repeat(40);
        assertThat(new String(ApiErrors.body(ErrorType.API, "oops " + key, "r"))).doesNotContain(key);
    }

    @Test
    void statusMapsToAnthropicErrorTypes() {
        assertThat(ErrorType.forStatus(400).wireName()).isEqualTo("invalid_request_error");
        assertThat(ErrorType.forStatus(405).wireName()).isEqualTo("invalid_request_error");
        assertThat(ErrorType.forStatus(401).wireName()).isEqualTo("authentication_error");
        assertThat(ErrorType.forStatus(402).wireName()).isEqualTo("billing_error");
        assertThat(ErrorType.forStatus(403).wireName()).isEqualTo("permission_error");
        assertThat(ErrorType.forStatus(404).wireName()).isEqualTo("not_found_error");
        assertThat(ErrorType.forStatus(413).wireName()).isEqualTo("request_too_large");
        assertThat(ErrorType.forStatus(429).wireName()).isEqualTo("rate_limit_error");
        assertThat(ErrorType.forStatus(500).wireName()).isEqualTo("api_error");
        assertThat(ErrorType.forStatus(502).wireName()).isEqualTo("api_error");
        assertThat(ErrorType.forStatus(504).wireName()).isEqualTo("timeout_error");
        assertThat(ErrorType.forStatus(529).wireName()).isEqualTo("overloaded_error");
    }
}
