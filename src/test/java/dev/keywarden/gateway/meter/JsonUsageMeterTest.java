package dev.keywarden.gateway.meter;

import dev.keywarden.pipeline.Usage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class JsonUsageMeterTest {

    static final String MESSAGE = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
            + "\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{\"usage\":{\"output_tokens\":999},\"model\":\"evil\",\"stop_reason\":\"x\"}},"
            + "{\"type\":\"text\",\"text\":\"usage: {\\\"input_tokens\\\": 5}\"}],"
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":406,\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":20,\"output_tokens\":50,"
            + "\"server_tool_use\":{\"web_search_requests\":1},\"service_tier\":\"standard\"}}";
    static final Usage EXPECTED = new Usage(406, 50, 10, 20, "claude-x", "end_turn");

    static Usage meter(byte[] bytes, int chunk) {
        JsonUsageMeter m = new JsonUsageMeter();
        for (int i = 0; i < bytes.length; i += chunk) {
            ByteBuffer b = ByteBuffer.wrap(bytes, i, Math.min(chunk, bytes.length - i));
            int pos = b.position();
            m.feed(b);
            assertThat(b.position()).isEqualTo(pos);
        }
        return m.finish();
    }

    @Test
    void topLevelUsageIsReadAndNestedLookalikesAreIgnored() {
        byte[] bytes = MESSAGE.getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {1, 2, 3, 7, 64, bytes.length}) {
            assertThat(meter(bytes, chunk)).as("chunk %d", chunk).isEqualTo(EXPECTED);
        }
    }

    @Test
    void usageBeforeContentIsReadToo() {
        String reordered = "{\"usage\":{\"input_tokens\":1,\"output_tokens\":2},\"model\":\"m\",\"content\":[],\"stop_reason\":\"max_tokens\"}";
        assertThat(meter(reordered.getBytes(StandardCharsets.UTF_8), 5)).isEqualTo(new Usage(1, 2, 0, 0, "m", "max_tokens"));
    }

    @Test
    void errorBodyReportsItsType() {
        JsonUsageMeter m = new JsonUsageMeter();
        m.feed(ByteBuffer.wrap("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}".getBytes(StandardCharsets.UTF_8)));
        assertThat(m.finish()).isEqualTo(Usage.EMPTY);
        assertThat(m.errorType()).isEqualTo("rate_limit_error");
        JsonUsageMeter ok = new JsonUsageMeter();
        ok.feed(ByteBuffer.wrap(MESSAGE.getBytes(StandardCharsets.UTF_8)));
        ok.finish();
        assertThat(ok.errorType()).isNull();
    }

    @Test
    void truncatedOrMalformedBodiesReportWhatWasReadWithoutThrowing() {
        String truncated = MESSAGE.substring(0, MESSAGE.indexOf("\"stop_reason\""));
        assertThat(meter(truncated.getBytes(StandardCharsets.UTF_8), 11).model()).isEqualTo("claude-x");
        assertThat(meter("{\"model\":\"a\",,,}".getBytes(StandardCharsets.UTF_8), 3).model()).isEqualTo("a");
        assertThat(meter("<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8), 4)).isEqualTo(Usage.EMPTY);
    }

    @Test
    void largeBodyIsMeteredInChunks() {
        String big = MESSAGE.replace("\"text\":\"usage", "\"text\":\"" + "w".repeat(5 * 1024 * 1024) + "usage");
        assertThat(meter(big.getBytes(StandardCharsets.UTF_8), 8192)).isEqualTo(EXPECTED);
    }

    @Test
    void meterIsChosenByContentType() {
        assertThat(UsageMeters.forResponse("text/event-stream; charset=utf-8")).isInstanceOf(SseUsageMeter.class);
        assertThat(UsageMeters.forResponse("application/json")).isInstanceOf(JsonUsageMeter.class);
        assertThat(UsageMeters.forResponse("application/x-jsonl").finish()).isEqualTo(Usage.EMPTY);
        assertThat(UsageMeters.forResponse(null).finish()).isEqualTo(Usage.EMPTY);
    }
}
