package dev.keywarden.byok;

import dev.keywarden.testing.TestKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KeyShapeTest {

    @Test
    void anAnthropicKeyOfTheRealShapePassesAndTheMessageForAnythingElseNeverQuotesIt() {
        assertThat(KeyShape.problem(TestKeys.canaryProviderKey())).isNull();
        assertThat(KeyShape.problem(TestKeys.fakeProviderKey())).isNull();
        String openAi = "sk-proj-" + TestKeys.random(48);
        assertThat(KeyShape.problem(openAi)).contains("start with sk-ant-").doesNotContain(openAi);
        assertThat(KeyShape.problem("sk-ant-api03-short")).contains("not a well-formed");
        String spaced = " " + TestKeys.canaryProviderKey();
        assertThat(KeyShape.problem(spaced)).contains("spaces").doesNotContain(spaced.strip());
        assertThat(KeyShape.problem("sk-ant-api03-" + "a".repeat(60) + "\"}")).contains("not a well-formed");
        assertThat(KeyShape.problem("")).contains("send your Anthropic API key");
    }
}
