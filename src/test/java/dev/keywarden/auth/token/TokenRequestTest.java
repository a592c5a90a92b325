package dev.keywarden.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.config.TokensConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenRequestTest {

    private static final TokensConfig POLICY = new TokensConfig(Duration.ofHours(1), 500);

    private static TokenRequest parse(String json) {
        return TokenRequest.parse(json.getBytes(StandardCharsets.UTF_8), POLICY);
    }

    private static void refused(String json, String field, String messagePart) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(TokenRequest.Invalid.class)
                .hasMessageStartingWith(field + ": ")
                .hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((TokenRequest.Invalid) e).field()).isEqualTo(field));
    }

    @Test
    void anEmptyBodyOrObjectGivesFifteenMinutesAHundredUsesAndNoScopes() {
        TokenRequest empty = TokenRequest.parse(new byte[0], POLICY);
        assertThat(empty.ttl()).isEqualTo(Duration.ofMinutes(15));
        assertThat(empty.maxUses()).isEqualTo(100);
        assertThat(empty.scopes()).isEqualTo(TokenScopes.ANY);
        assertThat(parse("{}")).isEqualTo(empty);
    }

    @Test
    void defaultsNeverExceedTheConfiguredMaximums() {
        TokenRequest r = TokenRequest.parse(new byte[0], new TokensConfig(Duration.ofMinutes(5), 10));
        assertThat(r.ttl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(r.maxUses()).isEqualTo(10);
    }

    @Test
    void everyFieldIsReadIntoTheScopes() {
        TokenRequest r = parse("{\"ttl_seconds\":60,\"max_uses\":5,\"models\":[\"claude-haiku-4-5\"],\"max_tokens\":512,"
                + "\"endpoints\":[\"messages\",\"count_tokens\"],\"origins\":[\"https://App.Example.com\"]}");
        assertThat(r.ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(r.maxUses()).isEqualTo(5);
        assertThat(r.scopes().models()).containsExactly("claude-haiku-4-5");
        assertThat(r.scopes().maxTokens()).isEqualTo(512L);
        assertThat(r.scopes().endpoints()).containsExactly("messages", "count_tokens");
        assertThat(r.scopes().origins()).containsExactly("https://app.example.com");
        assertThat(TokenScopes.fromJson(r.scopes().toJson())).isEqualTo(r.scopes());
    }

    @Test
    void ttlOutsideOneSecondToTheMaximumIsRefusedNamingTheField() {
        refused("{\"ttl_seconds\":0}", "ttl_seconds", "from 1 to 3600 (tokens.max_ttl)");
        refused("{\"ttl_seconds\":3601}", "ttl_seconds", "from 1 to 3600");
        refused("{\"ttl_seconds\":\"60\"}", "ttl_seconds", "integer");
        refused("{\"ttl_seconds\":1.5}", "ttl_seconds", "integer");
        assertThat(parse("{\"ttl_seconds\":3600}").ttl()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void maxUsesBelowOneOrAboveTheCapIsRefusedNamingTheField() {
        refused("{\"max_uses\":0}", "max_uses", "from 1 to 500 (tokens.max_uses)");
        refused("{\"max_uses\":501}", "max_uses", "from 1 to 500");
        refused("{\"max_uses\":-3}", "max_uses", "from 1 to 500");
    }

    @Test
    void badScopesAreRefusedNamingTheField() {
        refused("{\"max_tokens\":0}", "max_tokens", "positive integer");
        refused("{\"models\":[]}", "models", "non-empty list");
        refused("{\"models\":\"claude-haiku-4-5\"}", "models", "non-empty list");
        refused("{\"models\":[\"bad model\"]}", "models", "not a model id");
        refused("{\"endpoints\":[\"batches.explode\"]}", "endpoints", "not an endpoint; use messages, count_tokens");
        refused("{\"endpoints\":[\"tokens.create\"]}", "endpoints", "not an endpoint");
        refused("{\"endpoints\":[\"healthz\"]}", "endpoints", "not an endpoint");
        refused("{\"origins\":[\"https://app.example.com/path\"]}", "origins", "not an origin");
        refused("{\"origins\":[\"app.example.com\"]}", "origins", "not an origin");
        refused("{\"origins\":[\"https://user@app.example.com\"]}", "origins", "not an origin");
        refused("{\"origins\":[42]}", "origins", "list of");
    }

    @Test
    void unknownFieldsAndNonObjectsAreRefused() {
        refused("{\"max_use\":5}", "max_use", "unknown field; the fields are ttl_seconds, max_uses");
        refused("[1]", "body", "JSON object");
        refused("{", "body", "JSON object");
    }
}
