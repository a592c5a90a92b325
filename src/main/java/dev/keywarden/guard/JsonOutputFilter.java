package dev.keywarden.guard;

import dev.keywarden.pipeline.ResponseFilter;
import dev.keywarden.pipeline.GuardReport;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keywarden.scan.SecretScanner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Output guard for a JSON Message: holds the body, scans each {@code content[i].text}, and sends the
 * body unchanged (byte for byte) unless a secret is redacted, in which case the Message is
 * re-serialised with {@code [REDACTED:<rule>]} in place of each secret. A body that is not a
 * Message passes unchanged.
 */
final class JsonOutputFilter implements ResponseFilter {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final SecretDetector detector;
    private final boolean redact;
    private final GuardReport report;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(4096);

    JsonOutputFilter(SecretDetector detector, boolean redact, GuardReport report) {
        this.detector = detector;
        this.redact = redact;
        this.report = report;
    }

    @Override
    public ByteBuffer onChunk(ByteBuffer chunk) {
        ByteBuffer dup = chunk.slice();
        byte[] tmp = new byte[dup.remaining()];
        dup.get(tmp);
        body.write(tmp, 0, tmp.length);
        return ByteBuffer.allocate(0);
    }

    @Override
    public ByteBuffer finish() {
        byte[] bytes = body.toByteArray();
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            return ByteBuffer.wrap(bytes);
        }
        JsonNode content = root == null ? null : root.get("content");
        if (content == null || !content.isArray()) {
            return ByteBuffer.wrap(bytes);
        }
        boolean changed = false;
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            if (block == null || !block.isObject() || !block.path("text").isTextual()) {
                continue;
            }
            String text = block.get("text").asText();
            List<SecretScanner.Located> hits = detector.find(text);
            for (SecretScanner.Located h : hits) {
                report.add(redact ? GuardReport.Outcome.REDACTED : GuardReport.Outcome.FLAGGED, "output-secret:" + h.ruleId(),
                        "output.content." + i + ".text", h.start());
            }
            if (redact && !hits.isEmpty()) {
                ((ObjectNode) block).set("text", TextNode.valueOf(SecretDetector.redact(text, hits)));
                changed = true;
            }
        }
        if (!changed) {
            return ByteBuffer.wrap(bytes);
        }
        try {
            return ByteBuffer.wrap(JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new IllegalStateException("cannot re-encode a redacted message", e);
        }
    }

    @Override
    public boolean holdsWholeBody() {
        return true;
    }

    @Override
    public boolean rewrites() {
        return redact;
    }
}
