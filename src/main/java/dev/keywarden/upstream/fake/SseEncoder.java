package dev.keywarden.upstream.fake;

import java.nio.charset.StandardCharsets;

/**
 * Turns one SSE event into its bytes, in the line format a scenario asks for: {@code \n} (the
 * default), {@code \r\n} ({@code crlf}) or {@code \r} ({@code cr}) line ends, data JSON padded
 * with spaces ({@code padded}), the payload split over several {@code data:} lines
 * ({@code multi_data}), or the last event without its blank line ({@code no_final_blank}).
 *
 * <p>Guarantee: whatever the format, a conforming SSE parser (joining {@code data:} lines with
 * {@code \n}) recovers a data payload that is valid JSON equal in meaning to the original.
 */
final class SseEncoder {

    private static final String PADDING = "              ";

    private final String eol;
    private final boolean padded;
    private final boolean multiData;
    private final boolean noFinalBlank;

    SseEncoder(Scenario scenario) {
        this.eol = switch (scenario) {
            case CRLF -> "\r\n";
            case CR -> "\r";
            default -> "\n";
        };
        this.padded = scenario == Scenario.PADDED;
        this.multiData = scenario == Scenario.MULTI_DATA;
        this.noFinalBlank = scenario == Scenario.NO_FINAL_BLANK;
    }

    byte[] encode(String event, String data, boolean last) {
        String json = padded ? pad(data) : data;
        StringBuilder sb = new StringBuilder(json.length() + event.length() + 24);
        sb.append("event: ").append(event).append(eol);
        if (multiData) {
            for (String line : split(json)) {
                sb.append("data: ").append(line).append(eol);
            }
        } else {
            sb.append("data: ").append(json).append(eol);
        }
        if (!(last && noFinalBlank)) {
            sb.append(eol);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String pad(String json) {
        int close = json.lastIndexOf('}');
        return "{ " + json.substring(1, close) + PADDING + json.substring(close);
    }

    /**
     * Splits {@code {"type":"x",REST}} into {@code {"type":"x",} / {@code REST} / {@code }}: each
     * cut falls between JSON tokens, so the {@code \n} a parser inserts there is plain whitespace.
     */
    private static String[] split(String json) {
        int typeKey = json.indexOf("\"type\"");
        int open = json.indexOf('"', json.indexOf(':', typeKey) + 1);
        int cut = json.indexOf('"', open + 1) + 1;
        if (cut < json.length() && json.charAt(cut) == ',') {
            cut++;
        }
        int close = json.lastIndexOf('}');
        String middle = json.substring(cut, close);
        return middle.isEmpty()
                ? new String[] {json.substring(0, cut), json.substring(close)}
                : new String[] {json.substring(0, cut), middle, json.substring(close)};
    }
}
