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

    /** The whole non-streaming Message. */
    static String message(String id, String model, SimulatedReply reply, int inputTokens) {
        String text = reply.text();
        StringBuilder sb = new StringBuilder(300 + model.length() + text.length() + text.length() / 16);
        sb.append("{\"id\":\"").append(id).append("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
        Json.appendString(sb, model);
        sb.append(",\"content\":[{\"type\":\"text\",\"text\":");
        Json.appendString(sb, text);
        sb.append("}],\"stop_reason\":\"").append(reply.stopReason()).append("\",\"stop_sequence\":null,\"usage\":");
        appendUsage(sb, inputTokens, reply.outputTokens(), true);
        return sb.append('}').toString();
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
