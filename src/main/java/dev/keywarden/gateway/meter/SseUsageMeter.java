package dev.keywarden.gateway.meter;

import dev.keywarden.pipeline.Usage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads usage from an Anthropic SSE stream while it is forwarded, following the WHATWG
 * event-stream rules: lines end in LF, CR or CRLF (a CR at the end of one chunk and an LF at the
 * start of the next are one line end), {@code data:} lines join with LF, comments are ignored, a
 * blank line dispatches, and {@link #finish()} dispatches a last event that lacks its blank line.
 *
 * <p>Usage = {@code message_start.message.usage}, then every {@code message_delta.usage}
 * (cumulative) overriding the fields it carries; {@code message_delta.delta.stop_reason} sets the
 * stop reason; an {@code error} event sets {@link #errorType()}. Only those events' data are
 * buffered (capped at {@value #MAX_EVENT_DATA} bytes); content deltas are skipped byte by byte
 * without being stored, so memory per stream stays constant.
 */
final class SseUsageMeter implements UsageMeter {

    static final int MAX_EVENT_DATA = 1024 * 1024;
    private static final int MAX_FIELD_NAME = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum LineState { FIELD, VALUE_KEEP, VALUE_SKIP }

    private final UsageAccumulator acc = new UsageAccumulator();

    // current line
    private LineState lineState = LineState.FIELD;
    private final byte[] field = new byte[MAX_FIELD_NAME];
    private int fieldLength;
    private boolean fieldTooLong;
    private boolean valueStarted;
    private byte[] value = new byte[256];
    private int valueLength;
    private boolean pendingCr;
    private boolean lineHasContent;

    // current event
    private String eventName;
    private byte[] data = new byte[512];
    private int dataLength;
    private boolean dataLines;
    private boolean dataOverflow;

    @Override
    public void feed(ByteBuffer chunk) {
        int pos = chunk.position();
        int limit = chunk.limit();
        for (int i = pos; i < limit; i++) {
            accept(chunk.get(i));
        }
    }

    private void accept(byte b) {
        if (pendingCr) {
            pendingCr = false;
            if (b == '\n') {
                return;
            }
        }
        if (b == '\r') {
            endLine();
            pendingCr = true;
            return;
        }
        if (b == '\n') {
            endLine();
            return;
        }
        lineHasContent = true;
        switch (lineState) {
            case FIELD -> {
                if (b == ':') {
                    lineState = fieldLength == 0 ? LineState.VALUE_SKIP : (keepValue() ? LineState.VALUE_KEEP : LineState.VALUE_SKIP);
                } else if (fieldLength < MAX_FIELD_NAME) {
                    field[fieldLength++] = b;
                } else {
                    fieldTooLong = true;
                }
            }
            case VALUE_KEEP -> {
                if (!valueStarted) {
                    valueStarted = true;
                    if (b == ' ') {
                        return;
                    }
                }
                if (valueLength == value.length) {
                    if (value.length >= MAX_EVENT_DATA) {
                        dataOverflow = true;
                        lineState = LineState.VALUE_SKIP;
                        return;
                    }
                    value = Arrays.copyOf(value, Math.min(MAX_EVENT_DATA, value.length * 2));
                }
                value[valueLength++] = b;
            }
            case VALUE_SKIP -> { }
        }
    }

    /** Keeps {@code event:} values always, and {@code data:} values only for events that carry usage or errors. */
    private boolean keepValue() {
        if (fieldIs("event")) {
            return true;
        }
        if (fieldIs("data")) {
            return eventName == null || interesting(eventName);
        }
        return false;
    }

    private static boolean interesting(String event) {
        return event.equals("message_start") || event.equals("message_delta") || event.equals("error");
    }

    private boolean fieldIs(String name) {
        if (fieldTooLong || fieldLength != name.length()) {
            return false;
        }
        for (int i = 0; i < fieldLength; i++) {
            if (field[i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void endLine() {
        if (!lineHasContent) {
            dispatch();
        } else if (lineState == LineState.FIELD) {
            // a field with no colon: the whole line is the field name and the value is empty
            if (fieldIs("data")) {
                appendData(new byte[0], 0);
            }
        } else if (lineState == LineState.VALUE_KEEP) {
            if (fieldIs("event")) {
                eventName = new String(value, 0, valueLength, StandardCharsets.UTF_8);
            } else if (fieldIs("data")) {
                appendData(value, valueLength);
            }
        } else if (fieldIs("data")) {
            dataLines = true;
        }
        lineState = LineState.FIELD;
        fieldLength = 0;
        fieldTooLong = false;
        valueStarted = false;
        valueLength = 0;
        lineHasContent = false;
    }

    private void appendData(byte[] bytes, int length) {
        int needed = dataLength + (dataLines ? 1 : 0) + length;
        if (needed > MAX_EVENT_DATA) {
            dataOverflow = true;
            return;
        }
        if (needed > data.length) {
            data = Arrays.copyOf(data, Math.max(needed, data.length * 2));
        }
        if (dataLines) {
            data[dataLength++] = '\n';
        }
        System.arraycopy(bytes, 0, data, dataLength, length);
        dataLength += length;
        dataLines = true;
    }

    private void dispatch() {
        String name = eventName;
        boolean hadData = dataLines && dataLength > 0;
        eventName = null;
        dataLines = false;
        boolean overflow = dataOverflow;
        dataOverflow = false;
        int length = dataLength;
        dataLength = 0;
        if (!hadData || overflow || (name != null && !interesting(name))) {
            return;
        }
        JsonNode event;
        try {
            event = JSON.readTree(data, 0, length);
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (event == null || !event.isObject()) {
            return;
        }
        String type = event.path("type").asText("");
        switch (name != null ? name : type) {
            case "message_start" -> {
                JsonNode message = event.path("message");
                if (message.path("model").isTextual()) {
                    acc.model = message.path("model").asText();
                }
                acc.takeUsage(message.get("usage"));
            }
            case "message_delta" -> {
                acc.takeUsage(event.get("usage"));
                JsonNode stop = event.path("delta").get("stop_reason");
                if (stop != null && stop.isTextual()) {
                    acc.stopReason = stop.asText();
                }
            }
            case "error" -> {
                JsonNode t = event.path("error").get("type");
                acc.errorType = t != null && t.isTextual() ? t.asText() : "api_error";
            }
            default -> { }
        }
    }

    @Override
    public Usage finish() {
        if (lineHasContent) {
            endLine();
        }
        dispatch();
        return acc.toUsage();
    }

    @Override
    public String errorType() {
        return acc.errorType;
    }
}
