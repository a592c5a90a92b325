package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimulatedReplyTest {

    private static MessagesRequest request(String text, int maxTokens) {
        return new MessagesRequest("m", maxTokens, false, text, text.length(), java.util.List.of(),
                MessagesRequest.ToolChoice.AUTO, null);
    }

    @Test
    void ordinaryReplyIsTheSentenceThenEchoesUpToTwelveWords() {
        SimulatedReply r = SimulatedReply.forRequest(request("one two  three\nfour 5 6 7 8 9 10 11 12 13 14", 100), Scenario.NONE);

        assertThat(r.text()).isEqualTo(SimulatedReply.SENTENCE + " You said: one two three four 5 6 7 8 9 10 11 12");
        assertThat(r.outputTokens()).isEqualTo(9 + 2 + 12).isEqualTo(r.pieces().size());
        assertThat(r.stopReason()).isEqualTo("end_turn");
    }

    @Test
    void echoNeverRepeatsACredentialShapedWord() {
        String keyLike = "sk-ant-" + "api03-" + "Q".repeat(40);

        SimulatedReply r = SimulatedReply.forRequest(request("my key is " + keyLike + " ok", 100), Scenario.NONE);

        assertThat(r.text()).doesNotContain("Q".repeat(8)).contains("You said: my key is sk-ant-").endsWith(" ok");
    }

    @Test
    void replyIsCutAtMaxTokensWords() {
        SimulatedReply r = SimulatedReply.forRequest(request("hello", 4), Scenario.NONE);

        assertThat(r.text()).isEqualTo("This is a simulated");
        assertThat(r.outputTokens()).isEqualTo(4);
        assertThat(r.stopReason()).isEqualTo("max_tokens");
    }

    @Test
    void scenarioMarkerIsNotEchoed() {
        SimulatedReply r = SimulatedReply.forRequest(request("fake:crlf tell me", 100), Scenario.CRLF);

        assertThat(r.text()).endsWith("You said: tell me");
    }

    @Test
    void slowIsTwoHundredOneWordDeltasWhateverMaxTokens() {
        SimulatedReply r = SimulatedReply.forRequest(request("x", 5), Scenario.SLOW);

        assertThat(r.pieces()).hasSize(200);
        assertThat(r.outputTokens()).isEqualTo(200);
    }

    @Test
    void bigIsAboutOneMebibyteAndCountsItsWords() {
        SimulatedReply r = SimulatedReply.forRequest(request("x", 5), Scenario.BIG);

        assertThat(r.text().length()).isBetween(1 << 20, (1 << 20) + 100);
        assertThat(r.outputTokens()).isEqualTo(r.text().split(" ").length);
    }
}
