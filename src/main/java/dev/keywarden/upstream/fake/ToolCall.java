package dev.keywarden.upstream.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@code tool_use} block the fake answers with, and the rule that decides when it does.
 *
 * <p>Guarantee: a tool is called only when the request offers tools. {@code tool_choice}
 * {@code {"type":"tool","name":…}} calls that tool and {@code any} the first one, on every request,
 * as the real API forces them; the {@code tool_use} scenario calls one unless the last user message
 * carries a {@code tool_result} (a follow-up gets a text answer, so a round trip ends);
 * {@code tool_choice} {@code none} never calls one. The input is the JSON object given after the
 * {@code fake:tool_use NAME} marker, or else a minimal value matching the tool's {@code input_schema}
 * ({@link MinimalInput}).
 *
 * @param id        {@code toolu_01…}
 * @param name      the tool's name
 * @param inputJson the input object, as compact JSON
 * @param forced    true when {@code tool_choice} forced the call (the real API then writes no text before it)
 */
record ToolCall(String id, String name, String inputJson, boolean forced) {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** The call to answer {@code request} with under {@code scenario}, or null for a text answer. */
    static ToolCall decide(MessagesRequest request, Scenario scenario) {
        if (request.tools().isEmpty() || "none".equals(request.toolChoice().type())) {
            return null;
        }
        MessagesRequest.ToolChoice choice = request.toolChoice();
        boolean asked = scenario == Scenario.TOOL_USE && request.toolResultText() == null;
        if (!choice.forces() && !asked) {
            return null;
        }
        Marker marker = asked ? Marker.of(request.echoText()) : Marker.NONE;
        String wanted = "tool".equals(choice.type()) && choice.name() != null ? choice.name() : marker.toolName();
        MessagesRequest.OfferedTool tool = find(request, wanted);
        boolean markerFits = marker.inputJson() != null && (marker.toolName() == null || marker.toolName().equals(tool.name()));
        String input = markerFits ? marker.inputJson() : MinimalInput.of(tool.inputSchema()).toString();
        return new ToolCall(newId(), tool.name(), input, choice.forces());
    }

    /** Output tokens the call counts for: about one per four characters of its input, at least one. */
    int outputTokens() {
        return Math.max(1, (name.length() + inputJson.length()) / 4);
    }

    private static MessagesRequest.OfferedTool find(MessagesRequest request, String name) {
        MessagesRequest.OfferedTool withSchema = null;
        for (MessagesRequest.OfferedTool t : request.tools()) {
            if (name != null && t.name().equals(name)) {
                return t;
            }
            if (withSchema == null && t.inputSchema() != null) {
                withSchema = t;
            }
        }
        return withSchema != null ? withSchema : request.tools().get(0);
    }

    private static String newId() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder("toolu_01");
        for (int i = 0; i < 22; i++) {
            sb.append(BASE62.charAt(rnd.nextInt(BASE62.length())));
        }
        return sb.toString();
    }

    /**
     * What follows {@code fake:tool_use} in the last user message: an optional tool name, then an
     * optional JSON object.
     */
    private record Marker(String toolName, String inputJson) {
        static final Marker NONE = new Marker(null, null);

        static Marker of(String rest) {
            String text = rest.strip();
            String name = null;
            if (!text.isEmpty() && text.charAt(0) != '{') {
                int end = 0;
                while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
                name = text.substring(0, end);
                text = text.substring(end).strip();
            }
            return new Marker(name, object(text));
        }

        private static String object(String text) {
            if (!text.startsWith("{")) {
                return null;
            }
            try {
                JsonNode node = Json.MAPPER.readTree(text);
                return node != null && node.isObject() ? node.toString() : null;
            } catch (JsonProcessingException e) {
                return null;
            }
        }
    }
}
