package dev.keywarden.upstream.fake;

/**
 * Builds the Message JSON of a non-streaming answer and the data JSON of each SSE event, by
 * appending to a {@link StringBuilder} (no reflection, no tree), in the real API's field order.
 *
 * <p>Guarantee: every string that came from the client (the model name) or from the reply text is
 * JSON-escaped; usage always carries {@code input_tokens}, both cache counts (0),
 * {@code output_tokens}, and {@code service_tier} where the real API has it.
 */
final class MessageJson {

    static final String CONTENT_BLOCK_START =
            "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}";
    static final String PING = "{\"type\": \"ping\"}";
    static final String CONTENT_BLOCK_STOP = "{\"type\":\"content_block_stop\",\"index\":0}";
    /** Padded with spaces exactly like the real API pads it. */
    static final String MESSAGE_STOP = "{\"type\":\"message_stop\"              }";
    static final String OVERLOADED_EVENT =
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
    static final String UNKNOWN_EVENT_TYPE = "keywarden_fake_unknown";
    static final String UNKNOWN_EVENT =
            "{\"type\":\"" + UNKNOWN_EVENT_TYPE + "\",\"note\":\"clients must ignore event types they do not know\"}";

    private MessageJson() {
    }

    /** The whole non-streaming Message: a text block (unless a forced tool call has none), then the tool_use block if any. */
    static String message(String id, String model, SimulatedReply reply, int inputTokens) {
        String text = reply.text();
        ToolCall tool = reply.toolUse();
        StringBuilder sb = new StringBuilder(300 + model.length() + text.length() + text.length() / 16
                + (tool == null ? 0 : 100 + tool.inputJson().length()));
        sb.append("{\"id\":\"").append(id).append("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
        Json.appendString(sb, model);
        sb.append(",\"content\":[");
        if (!reply.pieces().isEmpty() || tool == null) {
            sb.append("{\"type\":\"text\",\"text\":");
            Json.appendString(sb, text);
            sb.append('}');
        }
        if (tool != null) {
            sb.append(reply.pieces().isEmpty() ? "" : ",");
            appendToolUse(sb, tool, tool.inputJson());
        }
        sb.append("],\"stop_reason\":\"").append(reply.stopReason()).append("\",\"stop_sequence\":null,\"usage\":");
        appendUsage(sb, inputTokens, reply.outputTokens(), true);
        return sb.append('}').toString();
    }

    /** {@code content_block_start} of a tool_use block: the input is {@code {}}, the deltas carry it. */
    static String toolUseBlockStart(int index, ToolCall tool) {
        StringBuilder sb = new StringBuilder(160 + tool.name().length());
        sb.append("{\"type\":\"content_block_start\",\"index\":").append(index).append(",\"content_block\":");
        appendToolUse(sb, tool, "{}");
        return sb.append('}').toString();
    }

    static String inputJsonDelta(int index, String partialJson) {
        StringBuilder sb = new StringBuilder(90 + partialJson.length() + partialJson.length() / 8);
        sb.append("{\"type\":\"content_block_delta\",\"index\":").append(index)
                .append(",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":");
        Json.appendString(sb, partialJson);
        return sb.append("}}").toString();
    }

    static String contentBlockStop(int index) {
        return index == 0 ? CONTENT_BLOCK_STOP : "{\"type\":\"content_block_stop\",\"index\":" + index + "}";
    }

    private static void appendToolUse(StringBuilder sb, ToolCall tool, String inputJson) {
        sb.append("{\"type\":\"tool_use\",\"id\":\"").append(tool.id()).append("\",\"name\":");
        Json.appendString(sb, tool.name());
        sb.append(",\"input\":").append(inputJson).append('}');
    }

    static String messageStart(String id, String model, int inputTokens) {
        StringBuilder sb = new StringBuilder(320 + model.length());
        sb.append("{\"type\":\"message_start\",\"message\":{\"id\":\"").append(id)
                .append("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
        Json.appendString(sb, model);
        sb.append(",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":");
        appendUsage(sb, inputTokens, 1, true);
        return sb.append("}}").toString();
    }

    static String textDelta(String piece) {
        StringBuilder sb = new StringBuilder(80 + piece.length() + piece.length() / 16);
        sb.append("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":");
        Json.appendString(sb, piece);
        return sb.append("}}").toString();
    }

    /** The final message_delta; its usage is cumulative and repeats the input counts like newer models do. */
    static String messageDelta(String stopReason, int inputTokens, int outputTokens) {
        StringBuilder sb = new StringBuilder(200);
        sb.append("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"").append(stopReason)
                .append("\",\"stop_sequence\":null},\"usage\":");
        appendUsage(sb, inputTokens, outputTokens, false);
        return sb.append('}').toString();
    }

    private static void appendUsage(StringBuilder sb, int input, int output, boolean withTier) {
        sb.append("{\"input_tokens\":").append(input)
                .append(",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":").append(output);
        if (withTier) {
            sb.append(",\"service_tier\":\"standard\"");
        }
        sb.append('}');
    }
}
