package dev.keywarden.guard;

import dev.keywarden.pipeline.ResponseFilter;
import dev.keywarden.pipeline.GuardReport;
import dev.keywarden.config.GuardConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.testing.TestKeys;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Output secret detection: JSON messages and SSE streams, with a secret split over deltas at every
 * split point and the stream split over chunks at every byte.
 */
class OutputGuardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static String event(String name, String data, String eol) {
        return "event: " + name + eol + "data: " + data + eol + eol;
    }

    /** An Anthropic-shaped stream whose text block arrives as {@code deltas}. */
    static String stream(List<String> deltas, String eol) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"content\":[],\"model\":\"claude-x\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}", eol));
        sb.append(event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}", eol));
        sb.append(event("ping", "{\"type\": \"ping\"}", eol));
        for (String d : deltas) {
            sb.append(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
                    + JSON.writeValueAsString(d) + "}}", eol));
        }
        sb.append(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}", eol));
        sb.append(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":9}}", eol));
        sb.append(event("message_stop", "{\"type\":\"message_stop\"              }", eol));
        return sb.toString();
    }

    /** Feeds {@code bytes} to the filter in chunks cut at {@code cuts} and returns what it sent. */
    static byte[] run(ResponseFilter f, byte[] bytes, int... cuts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        List<Integer> ends = new ArrayList<>();
        for (int c : cuts) {
            ends.add(c);
        }
        ends.add(bytes.length);
        for (int end : ends) {
            ByteBuffer chunk = ByteBuffer.wrap(bytes, at, end - at).slice();
            ByteBuffer sent = f.onChunk(chunk);
            byte[] b = new byte[sent.remaining()];
            sent.duplicate().get(b);
            out.write(b, 0, b.length);
            at = end;
        }
        ByteBuffer rest = f.finish();
        byte[] b = new byte[rest.remaining()];
        rest.get(b);
        out.write(b, 0, b.length);
        return out.toByteArray();
    }

    /** The events of an SSE text (type from the data), asserting each data is JSON. */
    static List<JsonNode> events(String sse) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String block : sse.split("\r\n\r\n|\n\n|\r\r")) {
            if (block.isBlank()) {
                continue;
            }
            String data = null;
            for (String line : block.split("\r\n|\n|\r")) {
                if (line.startsWith("data:")) {
                    data = line.substring(5).strip();
                }
            }
            assertThat(data).as("every event has data: " + block).isNotNull();
            out.add(JSON.readTree(data));
        }
        return out;
    }

    static String text(List<JsonNode> events) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode e : events) {
            if (e.path("type").asText().equals("content_block_delta")) {
                sb.append(e.at("/delta/text").asText());
            }
        }
        return sb.toString();
    }

    static void assertValidOrder(List<JsonNode> events) {
        List<String> types = events.stream().map(e -> e.path("type").asText()).toList();
        assertThat(types.get(0)).isEqualTo("message_start");
        assertThat(types.get(types.size() - 1)).isEqualTo("message_stop");
        int stop = types.indexOf("content_block_stop");
        assertThat(types.lastIndexOf("content_block_delta")).isLessThan(stop);
        assertThat(types.indexOf("content_block_delta")).isGreaterThan(types.indexOf("content_block_start"));
    }

    static ResponseFilter sse(boolean redact, GuardReport report) {
        return new SseOutputFilter(SecretDetector.builtIn(), redact, report);
    }

    @Test
    void anApiKeySplitOverTwoDeltasIsRedactedAtEverySplitPoint() throws Exception {
        String key = TestKeys.canaryProviderKey();
        String full = "Your key is " + key + " keep it safe.";
        for (int i = 1; i < full.length(); i++) {
            GuardReport report = new GuardReport();
            String out = new String(run(sse(true, report), stream(List.of(full.substring(0, i), full.substring(i)), "\n")
                    .getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            assertThat(out).as("split at %d", i).doesNotContain(key).doesNotContain(key.substring(13, 40));
            List<JsonNode> events = events(out);
            assertValidOrder(events);
            assertThat(text(events)).as("split at %d", i).isEqualTo("Your key is [REDACTED:anthropic-api-key] keep it safe.");
            assertThat(report.headerValue()).isEqualTo("redacted=output-secret:anthropic-api-key");
            assertThat(report.findings().get(0).offset()).isEqualTo(12);
        }
    }

    @Test
    void aSecretSplitOverThreeDeltasIsRedactedAtEveryPairOfSplitPoints() throws Exception {
        String aws = RequestGuardTest.awsKey();
        String full = "id=" + aws + ", region eu";
        for (int i = 1; i < full.length(); i++) {
            for (int j = i + 1; j < full.length(); j++) {
                String out = new String(run(sse(true, new GuardReport()), stream(List.of(full.substring(0, i), full.substring(i, j),
                        full.substring(j)), "\n").getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
                assertThat(text(events(out))).as("splits %d,%d", i, j).isEqualTo("id=[REDACTED:aws-access-key-id], region eu");
            }
        }
    }

    @Test
    void theStreamSplitIntoChunksAtEveryByteStaysValidAndRedacted() throws Exception {
        String key = TestKeys.canaryProviderKey();
        for (String eol : List.of("\n", "\r\n", "\r")) {
            byte[] bytes = stream(List.of("a key: ", key.substring(0, 50), key.substring(50) + " end"), eol).getBytes(StandardCharsets.UTF_8);
            for (int cut = 1; cut < bytes.length; cut++) {
                String out = new String(run(sse(true, new GuardReport()), bytes, cut), StandardCharsets.UTF_8);
                List<JsonNode> events = events(out);
                assertValidOrder(events);
                assertThat(text(events)).as("eol %s cut %d", eol.replace("\r", "CR").replace("\n", "LF"), cut)
                        .isEqualTo("a key: [REDACTED:anthropic-api-key] end");
            }
        }
    }

    @Test
    void anAssignedSecretIsFoundWhenItsNameWasSentInAnEarlierDelta() throws Exception {
        String value = TestKeys.random(32).replace('-', 'x').replace('_', 'y');
        String full = "Set this in your config:\napi_key = \"" + value + "\"\nThen restart.";
        for (int i = 1; i < full.length(); i += 3) {
            String out = new String(run(sse(true, new GuardReport()), stream(List.of(full.substring(0, i), full.substring(i)), "\n")
                    .getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            assertThat(text(events(out))).as("split at %d", i)
                    .isEqualTo("Set this in your config:\napi_key = \"[REDACTED:generic-api-key]\"\nThen restart.");
        }
    }

    @Test
    void aPrivateKeyBlockSplitOverManyDeltasIsRedacted() throws Exception {
        StringBuilder pem = new StringBuilder("-----BEGIN RSA PRIVATE KEY-----\n");
        for (int i = 0; i < 4; i++) {
            pem.append(TestKeys.random(64).replace('_', '+').replace('-', '/')).append('\n');
        }
        pem.append("-----END RSA PRIVATE KEY-----");
        String full = "Here it is:\n" + pem + "\nDone.";
        for (int size : new int[]{1, 3, 7, 16, 50}) {
            List<String> deltas = new ArrayList<>();
            for (int i = 0; i < full.length(); i += size) {
                deltas.add(full.substring(i, Math.min(full.length(), i + size)));
            }
            String out = new String(run(sse(true, new GuardReport()), stream(deltas, "\n").getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8);
            assertThat(text(events(out))).as("delta size %d", size).isEqualTo("Here it is:\n[REDACTED:private-key]\nDone.");
        }
    }

    @Test
    void aStreamWithoutSecretsPassesByteForByteAndEachEventWaitsOnlyForItsLastWord() throws Exception {
        List<String> deltas = List.of("Hello", " there, how", " are you", " today?", " Fine.\n");
        GuardReport report = new GuardReport();
        for (String eol : List.of("\n", "\r\n")) {
            byte[] bytes = stream(deltas, eol).getBytes(StandardCharsets.UTF_8);
            for (int cut = 1; cut < bytes.length; cut += 5) {
                assertThat(run(new SseOutputFilter(SecretDetector.builtIn(), true, report), bytes, cut)).isEqualTo(bytes);
            }
        }
        assertThat(report.isEmpty()).isTrue();
        StreamingRedactor<String> r = new StreamingRedactor<>(SecretDetector.builtIn(), true, (a, b, c) -> { });
        assertThat(r.accept("e1", "Hello")).isEmpty();
        assertThat(r.accept("e2", " there, how")).extracting(StreamingRedactor.Release::payload).containsExactly("e1");
        assertThat(r.accept("e3", " are you ")).extracting(StreamingRedactor.Release::payload).containsExactly("e2", "e3");
        assertThat(r.accept("e4", "ok")).isEmpty();
        assertThat(r.flush()).extracting(StreamingRedactor.Release::payload).containsExactly("e4");
    }

    @Test
    void eventsBetweenHeldDeltasKeepTheirPlaceAndSurviveRedaction() throws Exception {
        String clean = stream(List.of("one two", " three"), "\n");
        String withPing = clean.replace("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" three\"",
                "event: ping\ndata: {\"type\": \"ping\"}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" three\"");
        assertThat(withPing).isNotEqualTo(clean);
        byte[] bytes = withPing.getBytes(StandardCharsets.UTF_8);
        assertThat(run(sse(true, new GuardReport()), bytes)).isEqualTo(bytes);
        String withCitation = withPing.replace("event: ping\ndata: {\"type\": \"ping\"}", "event: content_block_delta\ndata: "
                + "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"cited_text\":\"x\"}}}");
        byte[] cited = withCitation.getBytes(StandardCharsets.UTF_8);
        assertThat(run(sse(true, new GuardReport()), cited)).isEqualTo(cited);

        String key = TestKeys.canaryProviderKey();
        String leaky = stream(List.of("k " + key.substring(0, 40), key.substring(40) + " ok"), "\n");
        String marker = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + key.substring(40);
        String pinged = leaky.replace(marker, "event: ping\ndata: {\"type\": \"ping\"}\n\n" + marker);
        List<JsonNode> events = events(new String(run(sse(true, new GuardReport()), pinged.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        assertValidOrder(events);
        assertThat(text(events)).isEqualTo("k [REDACTED:anthropic-api-key] ok");
        assertThat(events.stream().filter(e -> e.path("type").asText().equals("ping")).count()).isEqualTo(2);
    }

    @Test
    void flagModeSendsEveryChunkUnchangedAndStillReportsTheSplitSecret() throws Exception {
        String key = TestKeys.canaryProviderKey();
        byte[] bytes = stream(List.of("key ", key.substring(0, 30), key.substring(30)), "\n").getBytes(StandardCharsets.UTF_8);
        GuardReport report = new GuardReport();
        assertThat(run(sse(false, report), bytes, 100, 300)).isEqualTo(bytes);
        assertThat(report.headerValue()).isEqualTo("flagged=output-secret:anthropic-api-key");
    }

    @Test
    void nonTextEventsPassByteForByte() throws Exception {
        String tool = event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
                + "\"partial_json\":\"{\\\"a\\\": 1\"}}", "\n") + event("future_event", "{\"type\":\"future_event\"}", "\n");
        byte[] bytes = tool.getBytes(StandardCharsets.UTF_8);
        assertThat(run(sse(true, new GuardReport()), bytes)).isEqualTo(bytes);
    }

    @Test
    void aJsonMessageIsRedactedOrFlaggedAndOtherwiseUnchanged() throws Exception {
        String key = TestKeys.canaryProviderKey();
        String msg = "{\"id\":\"msg_1\",\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"k=" + key + "\"},"
                + "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{}}],\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}";
        byte[] bytes = msg.getBytes(StandardCharsets.UTF_8);
        GuardReport report = new GuardReport();
        JsonOutputFilter redacting = new JsonOutputFilter(SecretDetector.builtIn(), true, report);
        byte[] out = run(redacting, bytes, 40);
        JsonNode root = JSON.readTree(out);
        assertThat(root.at("/content/0/text").asText()).isEqualTo("k=[REDACTED:anthropic-api-key]");
        assertThat(root.at("/usage/output_tokens").asInt()).isEqualTo(2);
        assertThat(report.headerValue()).isEqualTo("redacted=output-secret:anthropic-api-key");
        assertThat(report.auditValue()).containsKey("findings");
        assertThat(report.auditValue().toString()).doesNotContain(key);

        GuardReport flagged = new GuardReport();
        assertThat(run(new JsonOutputFilter(SecretDetector.builtIn(), false, flagged), bytes, 7)).isEqualTo(bytes);
        assertThat(flagged.headerValue()).isEqualTo("flagged=output-secret:anthropic-api-key");

        byte[] clean = "{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],  \"x\" : 1.50}".getBytes(StandardCharsets.UTF_8);
        assertThat(run(new JsonOutputFilter(SecretDetector.builtIn(), true, new GuardReport()), clean, 3)).isEqualTo(clean);
    }

    @Test
    void outputGuardGivesNoFilterWhenOffOrForUnknownContent() {
        GuardConfig off = GuardConfig.from(Map.of("guard.secrets.output", "off"));
        assertThat(new OutputGuard(off, SecretDetector.builtIn()).filterFor("free", "text/event-stream", new GuardReport())).isNull();
        GuardConfig tierOff = GuardConfig.from(Map.of("tiers.free.guard", "off"));
        assertThat(new OutputGuard(tierOff, SecretDetector.builtIn()).filterFor("free", "application/json", new GuardReport())).isNull();
        OutputGuard on = new OutputGuard(GuardConfig.defaults(), SecretDetector.builtIn());
        assertThat(on.filterFor("free", "text/plain", new GuardReport())).isNull();
        assertThat(on.filterFor("free", "text/event-stream; charset=utf-8", new GuardReport())).isInstanceOf(SseOutputFilter.class);
        assertThat(on.filterFor("free", "application/json", new GuardReport())).isInstanceOf(JsonOutputFilter.class);
        assertThat(new OutputGuard(GuardConfig.from(Map.of("guard.mode", "flag")), SecretDetector.builtIn())
                .filterFor(null, "application/json", new GuardReport()).rewrites()).isFalse();
    }
}
