package dev.keywarden.gateway.meter;

import dev.keywarden.pipeline.Usage;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads {@code model}, {@code stop_reason}, {@code usage} and (for error bodies) {@code error.type}
 * from the top level of a JSON response, incrementally with Jackson's non-blocking parser: the
 * body is never accumulated, only the token being parsed. Fields of the same name nested deeper
 * (inside content or tool input) are ignored. Malformed input stops metering; it never throws.
 */
final class JsonUsageMeter implements UsageMeter {

    private static final JsonFactory JSON = new JsonFactory();

    private final UsageAccumulator acc = new UsageAccumulator();
    private JsonParser parser;
    private boolean broken;
    private int depth;
    private String topField;
    private String container;
    private String innerField;
    private String topType;
    private String nestedErrorType;

    JsonUsageMeter() {
        try {
            parser = JSON.createNonBlockingByteBufferParser();
        } catch (IOException e) {
            broken = true;
        }
    }

    @Override
    public void feed(ByteBuffer chunk) {
        if (broken || !chunk.hasRemaining()) {
            return;
        }
        try {
            ((ByteBufferFeeder) parser.getNonBlockingInputFeeder()).feedInput(chunk.duplicate());
            drain();
        } catch (IOException | RuntimeException e) {
            broken = true;
        }
    }

    private void drain() throws IOException {
        JsonToken t;
        while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            switch (t) {
                case START_OBJECT, START_ARRAY -> {
                    depth++;
                    if (depth == 2) {
                        container = topField;
                        innerField = null;
                    }
                    topField = depth == 1 ? null : topField;
                }
                case END_OBJECT, END_ARRAY -> {
                    if (depth == 2) {
                        container = null;
                    }
                    depth--;
                    if (depth == 1) {
                        topField = null;
                    }
                }
                case FIELD_NAME -> {
                    if (depth == 1) {
                        topField = parser.currentName();
                    } else if (depth == 2) {
                        innerField = parser.currentName();
                    }
                }
                default -> value(t);
            }
        }
    }

    private void value(JsonToken t) throws IOException {
        if (depth == 1 && topField != null) {
            switch (topField) {
                case "model" -> acc.model = t == JsonToken.VALUE_STRING ? parser.getText() : acc.model;
                case "stop_reason" -> acc.stopReason = t == JsonToken.VALUE_STRING ? parser.getText() : null;
                case "type" -> topType = t == JsonToken.VALUE_STRING ? parser.getText() : null;
                default -> { }
            }
            topField = null;
        } else if (depth == 2 && innerField != null) {
            if ("usage".equals(container) && t == JsonToken.VALUE_NUMBER_INT) {
                acc.set(innerField, parser.getLongValue());
            } else if ("error".equals(container) && "type".equals(innerField) && t == JsonToken.VALUE_STRING) {
                nestedErrorType = parser.getText();
            }
            innerField = null;
        }
    }

    @Override
    public Usage finish() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
        return acc.toUsage();
    }

    @Override
    public String errorType() {
        return "error".equals(topType) ? nestedErrorType : null;
    }
}
