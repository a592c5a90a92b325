package dev.keywarden.gateway.meter;

import dev.keywarden.pipeline.Usage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SseUsageMeterTest {

    static final String WIRE_EXAMPLE = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"cache_creation_input_tokens":3,"cache_read_input_tokens":2,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type": "ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello \\"usage\\":{\\"output_tokens\\":999}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}

            event: message_stop
            data: {"type":"message_stop"              }

            """;

    static final Usage EXPECTED = new Usage(11, 6, 3, 2, "claude-x", "end_turn");

    static Usage meter(String text, int... splits) {
        return meter(text.getBytes(StandardCharsets.UTF_8), splits);
    }

    static Usage meter(byte[] bytes, int... splits) {
        SseUsageMeter m = new SseUsageMeter();
        int from = 0;
        for (int s : splits) {
            feedChecked(m, bytes, from, s);
            from = s;
        }
        feedChecked(m, bytes, from, bytes.length);
        return m.finish();
    }

    static void feedChecked(UsageMeter m, byte[] bytes, int from, int to) {
        ByteBuffer b = ByteBuffer.wrap(bytes, from, to - from);
        int pos = b.position();
        int lim = b.limit();
        m.feed(b);
        assertThat(b.position()).isEqualTo(pos);
        assertThat(b.limit()).isEqualTo(lim);
    }

    @Test
    void wireDocumentExampleYieldsFinalUsage() {
        assertThat(meter(WIRE_EXAMPLE)).isEqualTo(EXPECTED);
    }

    @Test
    void crlfAndBareCrLineEndsGiveTheSameUsage() {
        assertThat(meter(WIRE_EXAMPLE.replace("\n", "\r\n"))).isEqualTo(EXPECTED);
        assertThat(meter(WIRE_EXAMPLE.replace("\n", "\r"))).isEqualTo(EXPECTED);
    }

    @Test
    void everySplitPointGivesTheSameUsage() {
        for (String variant : new String[] {WIRE_EXAMPLE, WIRE_EXAMPLE.replace("\n", "\r\n"), WIRE_EXAMPLE.replace("\n", "\r")}) {
            byte[] bytes = variant.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i <= bytes.length; i++) {
                assertThat(meter(bytes, i)).as("split at %d", i).isEqualTo(EXPECTED);
            }
        }
    }

    @Test
    void byteByByteAndRandomChunkingGiveTheSameUsage() {
        byte[] bytes = WIRE_EXAMPLE.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        SseUsageMeter m = new SseUsageMeter();
        for (int i = 0; i < bytes.length; i++) {
            m.feed(ByteBuffer.wrap(bytes, i, 1));
        }
        assertThat(m.finish()).isEqualTo(EXPECTED);
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            SseUsageMeter rm = new SseUsageMeter();
            int from = 0;
            while (from < bytes.length) {
                int to = Math.min(bytes.length, from + 1 + r.nextInt(40));
                rm.feed(ByteBuffer.wrap(bytes, from, to - from));
                from = to;
            }
            assertThat(rm.finish()).isEqualTo(EXPECTED);
        }
    }

    @Test
    void multiLineDataJoinsWithNewlines() {
        String multi = WIRE_EXAMPLE.replace("data: {\"type\":\"message_delta\",",
                "data: {\"type\":\"message_delta\",\ndata: ");
        assertThat(meter(multi)).isEqualTo(EXPECTED);
    }

    @Test
    void unknownEventsCommentsAndPaddingAreTolerated() {
        String noisy = ": keep-alive comment\n\nevent: brand_new_event\ndata: {\"type\":\"brand_new_event\",\"x\":[1,2]}\n\n"
                + WIRE_EXAMPLE.replace("{\"type\":\"message_delta\"", "{  \"type\" : \"message_delta\"  ");
        assertThat(meter(noisy)).isEqualTo(EXPECTED);
    }

    @Test
    void lastEventWithoutBlankLineIsDispatchedByFinish() {
        String s = WIRE_EXAMPLE.strip();
        String withoutStop = s.substring(0, s.indexOf("event: message_stop")).strip();
        assertThat(meter(withoutStop)).isEqualTo(EXPECTED);
        assertThat(meter(withoutStop + "\n")).isEqualTo(EXPECTED);
    }

    @Test
    void cumulativeMessageDeltaOverridesInputCounts() {
        String s = WIRE_EXAMPLE.replace("\"usage\":{\"output_tokens\":6}",
                "\"usage\":{\"input_tokens\":20,\"cache_read_input_tokens\":7,\"output_tokens\":6}");
        assertThat(meter(s)).isEqualTo(new Usage(20, 6, 3, 7, "claude-x", "end_turn"));
    }

    @Test
    void midStreamErrorEventSetsTheErrorType() {
        String s = WIRE_EXAMPLE.substring(0, WIRE_EXAMPLE.indexOf("event: message_delta"))
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        SseUsageMeter m = new SseUsageMeter();
        m.feed(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
        Usage u = m.finish();
        assertThat(m.errorType()).isEqualTo("overloaded_error");
        assertThat(u.inputTokens()).isEqualTo(11);
        assertThat(u.stopReason()).isNull();
    }

    @Test
    void eventsWithoutEventLineAreRecognisedByTheirType() {
        String s = WIRE_EXAMPLE.replaceAll("event: [a-z_]+\n", "");
        assertThat(meter(s)).isEqualTo(EXPECTED);
    }

    @Test
    void hugeContentDeltasAreNotBufferedAndOversizedUsageEventsAreDropped() {
        StringBuilder sb = new StringBuilder(WIRE_EXAMPLE);
        String bigDelta = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\""
                + "z".repeat(3 * SseUsageMeter.MAX_EVENT_DATA) + "\"}}\n\n";
        sb.insert(WIRE_EXAMPLE.indexOf("event: message_delta"), bigDelta);
        assertThat(meter(sb.toString())).isEqualTo(EXPECTED);
        String hostile = "event: message_delta\ndata: {\"usage\":{\"output_tokens\":5},\"pad\":\"" + "y".repeat(2 * SseUsageMeter.MAX_EVENT_DATA) + "\"}\n\n";
        assertThat(meter(hostile).outputTokens()).isZero();
    }

    @Test
    void garbageNeverThrows() {
        byte[] junk = new byte[10_000];
        new Random(7).nextBytes(junk);
        assertThat(meter(junk)).isNotNull();
        assertThat(meter("data: {not json\n\nevent: message_start\ndata: [1,2]\n\n")).isEqualTo(Usage.EMPTY);
    }
}
