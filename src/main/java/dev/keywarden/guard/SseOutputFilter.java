package dev.keywarden.guard;

import dev.keywarden.pipeline.ResponseFilter;
import dev.keywarden.pipeline.GuardReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Output guard for a streamed Message (SSE). Splits the byte stream into events (any chunking;
 * lines ending in LF, CR or CRLF) and feeds each {@code text_delta} event to a {@link StreamingRedactor}
 * per content block, which holds an event until its text is settled and then releases it byte for
 * byte, or (when a secret touches it) as one re-encoded delta event with the secret redacted. Before
 * a {@code content_block_stop} (and {@code message_stop}, {@code error}, end of stream) the block's
 * held events are released. Every other event passes byte for byte, in order, so the stream stays
 * valid SSE in Anthropic's event order and is unchanged when it holds no secret. When only
 * flagging, every chunk passes unchanged and the redactors only report.
 */
final class SseOutputFilter implements ResponseFilter {

    private final SecretDetector detector;
    private final boolean redact;
    private final GuardReport report;
    private final Map<Integer, StreamingRedactor<byte[]>> blocks = new TreeMap<>();
    private byte[] buf = new byte[8192];
    private int len;
    private ByteArrayOutputStream out;
    /** The content block of the last text delta: other events queue behind its held deltas. */
    private int lastIndex = -1;

    SseOutputFilter(SecretDetector detector, boolean redact, GuardReport report) {
        this.detector = detector;
        this.redact = redact;
        this.report = report;
    }

    @Override
    public ByteBuffer onChunk(ByteBuffer chunk) {
        ByteBuffer dup = chunk.slice();
        int n = dup.remaining();
        if (len + n > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        dup.get(buf, len, n);
        len += n;
        out = new ByteArrayOutputStream(n + 64);
        drain(false);
        return redact ? ByteBuffer.wrap(out.toByteArray()) : chunk;
    }

    @Override
    public ByteBuffer finish() {
        out = new ByteArrayOutputStream(256);
        drain(true);
        if (len > 0) {
            handleEvent(0, len);
            len = 0;
        }
        flushAll();
        return redact ? ByteBuffer.wrap(out.toByteArray()) : ByteBuffer.allocate(0);
    }

    @Override
    public boolean holdsWholeBody() {
        return false;
    }

    @Override
    public boolean rewrites() {
        return redact;
    }

    /** Handles every complete event in the buffer and keeps the rest. */
    private void drain(boolean atEnd) {
        int eventStart = 0;
        int lineStart = 0;
        int i = 0;
        while (i < len) {
            byte b = buf[i];
            if (b != '\n' && b != '\r') {
                i++;
                continue;
            }
            int term = 1;
            if (b == '\r') {
                if (i + 1 >= len && !atEnd) {
                    break; // a CR at the end of the buffer may be the first half of CRLF
                }
                if (i + 1 < len && buf[i + 1] == '\n') {
                    term = 2;
                }
            }
            boolean blank = i == lineStart;
            i += term;
            lineStart = i;
            if (blank) {
                handleEvent(eventStart, i);
                eventStart = i;
            }
        }
        if (eventStart > 0) {
            System.arraycopy(buf, eventStart, buf, 0, len - eventStart);
            len -= eventStart;
        }
    }

    /** One event (its raw bytes, terminating blank line included). */
    private void handleEvent(int from, int to) {
        String raw = new String(buf, from, to - from, StandardCharsets.UTF_8);
        String name = null;
        StringBuilder data = null;
        for (String line : raw.split("\r\n|\r|\n")) {
            if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                String d = line.substring(5);
                d = d.startsWith(" ") ? d.substring(1) : d;
                data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
            }
        }
        JsonNode json = null;
        if (data != null && (name == null || name.startsWith("content_block_") || name.equals("message_stop") || name.equals("error"))) {
            try {
                json = JsonOutputFilter.JSON.readTree(data.toString());
            } catch (IOException | RuntimeException notJson) {
                json = null;
            }
        }
        String type = json == null ? (name == null ? "" : name) : json.path("type").asText(name == null ? "" : name);
        switch (type) {
            case "content_block_delta" -> {
                JsonNode delta = json == null ? null : json.get("delta");
                if (delta != null && "text_delta".equals(delta.path("type").asText()) && delta.path("text").isTextual()) {
                    int index = json.path("index").asInt(0);
                    lastIndex = index;
                    byte[] event = java.util.Arrays.copyOfRange(buf, from, to);
                    send(index, redactor(index).accept(event, delta.get("text").asText()));
                    return;
                }
                passInOrder(from, to); // citations_delta and the like keep their place behind held text
                return;
            }
            case "content_block_stop" -> flush(json == null ? 0 : json.path("index").asInt(0));
            case "message_stop", "error" -> flushAll();
            default -> {
                passInOrder(from, to);
                return;
            }
        }
        write(buf, from, to);
    }

    /** Sends an event now, or, while text before it is held, queues it behind that text (order is kept). */
    private void passInOrder(int from, int to) {
        StreamingRedactor<byte[]> open = blocks.get(lastIndex);
        if (open != null && open.holding()) {
            send(lastIndex, open.accept(java.util.Arrays.copyOfRange(buf, from, to), ""));
        } else {
            write(buf, from, to);
        }
    }

    private void send(int index, List<StreamingRedactor.Release<byte[]>> releases) {
        for (StreamingRedactor.Release<byte[]> r : releases) {
            if (r.payload() != null) {
                write(r.payload(), 0, r.payload().length);
            } else if (!r.text().isEmpty()) {
                writeDelta(index, r.text());
            }
        }
    }

    private StreamingRedactor<byte[]> redactor(int index) {
        return blocks.computeIfAbsent(index, i -> new StreamingRedactor<>(detector, redact, (rule, offset, redacted) ->
                report.add(redacted ? GuardReport.Outcome.REDACTED : GuardReport.Outcome.FLAGGED, "output-secret:" + rule,
                        "output.content." + i, offset)));
    }

    private void flush(int index) {
        StreamingRedactor<byte[]> r = blocks.remove(index);
        if (r != null && r.holding()) {
            send(index, r.flush());
        }
    }

    private void flushAll() {
        for (Integer index : blocks.keySet().toArray(new Integer[0])) {
            flush(index);
        }
    }

    private void writeDelta(int index, String text) {
        ObjectNode delta = JsonNodeFactory.instance.objectNode().put("type", "text_delta").put("text", text);
        ObjectNode event = JsonNodeFactory.instance.objectNode().put("type", "content_block_delta").put("index", index);
        event.set("delta", delta);
        String s = "event: content_block_delta\ndata: " + event + "\n\n";
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        write(b, 0, b.length);
    }

    private void write(byte[] b, int from, int to) {
        out.write(b, from, to - from);
    }
}
