package dev.keywarden.upstream.fake;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict reading of the SSE format for tests: lines end in CRLF, CR or LF; {@code data:} lines
 * join with LF; one leading space after the colon is dropped; a blank line dispatches; a last
 * event without its blank line is still returned (as the SDKs do).
 */
final class Sse {

    record Event(String event, String data) {
    }

    private Sse() {
    }

    static List<Event> parse(String text) {
        List<Event> events = new ArrayList<>();
        String event = null;
        StringBuilder data = null;
        for (String line : lines(text)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new Event(event == null ? "message" : event, data.toString()));
                }
                event = null;
                data = null;
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("event")) {
                event = value;
            } else if (field.equals("data")) {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
        }
        if (data != null) {
            events.add(new Event(event == null ? "message" : event, data.toString()));
        }
        return events;
    }

    static List<String> names(List<Event> events) {
        return events.stream().map(Event::event).toList();
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }
}
