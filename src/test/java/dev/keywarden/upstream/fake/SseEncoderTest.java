package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SseEncoderTest {

    private static final List<String> PAYLOADS = List.of(
            MessageJson.messageStart("msg_01x", "claude-\"quoted\"", 12),
            MessageJson.CONTENT_BLOCK_START,
            MessageJson.PING,
            MessageJson.textDelta(" he said \"a,\" then {b}\n"),
            MessageJson.messageDelta("end_turn", 12, 9),
            MessageJson.MESSAGE_STOP,
            MessageJson.OVERLOADED_EVENT,
            MessageJson.UNKNOWN_EVENT);

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"NONE", "CRLF", "CR", "PADDED", "MULTI_DATA", "NO_FINAL_BLANK"})
    void everyFormatParsesBackToEquivalentJson(Scenario scenario) {
        SseEncoder encoder = new SseEncoder(scenario);
        for (String payload : PAYLOADS) {
            String wire = new String(encoder.encode("some_event", payload, true), StandardCharsets.UTF_8);

            List<Sse.Event> events = Sse.parse(wire);

            assertThat(events).hasSize(1);
            assertThat(events.get(0).event()).isEqualTo("some_event");
            JsonNode back = UpstreamHttp.json(events.get(0).data());
            assertThat(back).isEqualTo(UpstreamHttp.json(payload));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"NONE", "PADDED", "MULTI_DATA", "NO_FINAL_BLANK"})
    void lineFeedFormatsUseOnlyLineFeeds(Scenario scenario) {
        String wire = new String(new SseEncoder(scenario).encode("ping", MessageJson.PING, false), StandardCharsets.UTF_8);

        assertThat(wire).doesNotContain("\r").endsWith("\n\n");
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"CRLF", "CR"})
    void carriageReturnFormatsNeverUseABareLineFeed(Scenario scenario) {
        String wire = new String(new SseEncoder(scenario).encode("ping", MessageJson.PING, false), StandardCharsets.UTF_8);

        if (scenario == Scenario.CR) {
            assertThat(wire).doesNotContain("\n").endsWith("\r\r");
        } else {
            assertThat(wire.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
            assertThat(wire).endsWith("\r\n\r\n");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"MULTI_DATA"})
    void multiDataSplitsEveryPayloadOverSeveralDataLines(Scenario scenario) {
        String wire = new String(new SseEncoder(scenario).encode("content_block_delta",
                MessageJson.textDelta("x"), false), StandardCharsets.UTF_8);

        assertThat(wire.lines().filter(l -> l.startsWith("data:")).count()).isGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"NO_FINAL_BLANK"})
    void noFinalBlankOmitsOnlyTheLastEventsBlankLine(Scenario scenario) {
        SseEncoder encoder = new SseEncoder(scenario);

        assertThat(new String(encoder.encode("message_stop", MessageJson.MESSAGE_STOP, true), StandardCharsets.UTF_8))
                .endsWith("}\n").doesNotEndWith("\n\n");
        assertThat(new String(encoder.encode("ping", MessageJson.PING, false), StandardCharsets.UTF_8)).endsWith("\n\n");
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"PADDED"})
    void paddedDataCarriesSpacesInsideTheJson(Scenario scenario) {
        String wire = new String(new SseEncoder(scenario).encode("content_block_stop",
                MessageJson.CONTENT_BLOCK_STOP, false), StandardCharsets.UTF_8);

        assertThat(wire).contains("data: { \"type\"").contains("0              }");
    }
}
