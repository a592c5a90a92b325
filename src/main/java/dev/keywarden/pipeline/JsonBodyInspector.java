package dev.keywarden.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;

/**
 * Checks that a request body is one well-formed JSON object and reads the top-level fields later
 * stages need ({@link RequestSummary}). One streaming pass, no tree, no re-encoding: the bytes
 * forwarded upstream are the bytes received.
 */
final class JsonBodyInspector {

    /** The body is not acceptable; the message is safe to return in a 400. */
    static final class InvalidBody extends Exception {
        InvalidBody(String message) {
            super(message, null, false, false);
        }
    }

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).maxStringLength(64 * 1024 * 1024).build())
            .build();

    private JsonBodyInspector() {
    }

    static RequestSummary inspect(byte[] body, int length) throws InvalidBody {
        String model = null;
        boolean stream = false;
        long maxTokens = -1;
        try (JsonParser p = JSON.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidBody("request body must be a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "model" -> {
                        if (v == JsonToken.VALUE_STRING) {
                            model = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "stream" -> {
                        stream = v == JsonToken.VALUE_TRUE;
                        p.skipChildren();
                    }
                    case "max_tokens" -> {
                        if (v == JsonToken.VALUE_NUMBER_INT) {
                            maxTokens = p.getLongValue();
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new InvalidBody("request body is not valid JSON");
            }
            if (p.nextToken() != null) {
                throw new InvalidBody("request body has content after the JSON object");
            }
        } catch (JsonParseException e) {
            throw new InvalidBody("request body is not valid JSON (at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new InvalidBody("request body is not valid JSON");
        }
        return new RequestSummary(model, stream, maxTokens, length);
    }
}
