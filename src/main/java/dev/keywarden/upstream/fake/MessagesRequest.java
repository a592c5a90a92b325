package dev.keywarden.upstream.fake;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the fake needs from a Messages request body, validated like the real API validates the
 * fields it relies on.
 *
 * <p>Guarantee: a constructed instance has a non-blank model, {@code maxTokens >= 1} (when
 * required), and a non-empty list of messages with valid roles; otherwise an {@link ApiError} 400
 * names the offending field, e.g. {@code max_tokens: Field required}.
 *
 * @param model         the requested model id, echoed in the answer
 * @param maxTokens     the word budget of the answer (0 for count_tokens, where it is not used)
 * @param stream        whether the client asked for SSE
 * @param lastUserText  text of the last user message (first text block), or "" when it has none
 * @param promptBytes   UTF-8 size of the prompt text (system and message content)
 */
record MessagesRequest(String model, int maxTokens, boolean stream, String lastUserText, long promptBytes) {

    /** Reads a {@code POST /v1/messages} body (or a batch request's {@code params}). */
    static MessagesRequest forMessages(JsonNode root, String fieldPrefix) {
        return read(root, fieldPrefix, true);
    }

    /** Reads a {@code POST /v1/messages/count_tokens} body: {@code max_tokens} is not needed. */
    static MessagesRequest forCountTokens(JsonNode root) {
        return read(root, "", false);
    }

    /** Input tokens as the fake counts them: prompt bytes / 4, at least 1. */
    int inputTokens() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, promptBytes / 4));
    }

    /** The scenario named by a leading {@code fake:NAME} in the last user message, or NONE. */
    Scenario scenarioFromText() {
        if (!lastUserText.startsWith(Scenario.TEXT_PREFIX)) {
            return Scenario.NONE;
        }
        int end = firstWhitespace(lastUserText, Scenario.TEXT_PREFIX.length());
        return Scenario.parse(lastUserText.substring(Scenario.TEXT_PREFIX.length(), end), "the last user message");
    }

    /** The last user text without a leading {@code fake:NAME} marker. */
    String echoText() {
        if (!lastUserText.startsWith(Scenario.TEXT_PREFIX)) {
            return lastUserText;
        }
        return lastUserText.substring(firstWhitespace(lastUserText, 0)).strip();
    }

    private static MessagesRequest read(JsonNode root, String prefix, boolean needMaxTokens) {
        JsonNode model = root.get("model");
        if (model == null || model.isNull()) {
            throw ApiError.invalidRequest(prefix + "model: Field required");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw ApiError.invalidRequest(prefix + "model: Input should be a non-empty string");
        }
        int maxTokens = 0;
        JsonNode max = root.get("max_tokens");
        if (needMaxTokens) {
            if (max == null || max.isNull()) {
                throw ApiError.invalidRequest(prefix + "max_tokens: Field required");
            }
            if (!max.isIntegralNumber() || !max.canConvertToInt()) {
                throw ApiError.invalidRequest(prefix + "max_tokens: Input should be a valid integer");
            }
            maxTokens = max.intValue();
            if (maxTokens < 1) {
                throw ApiError.invalidRequest(prefix + "max_tokens: Input should be greater than or equal to 1");
            }
        }
        JsonNode messages = root.get("messages");
        if (messages == null || messages.isNull()) {
            throw ApiError.invalidRequest(prefix + "messages: Field required");
        }
        if (!messages.isArray()) {
            throw ApiError.invalidRequest(prefix + "messages: Input should be a valid list");
        }
        if (messages.isEmpty()) {
            throw ApiError.invalidRequest(prefix + "messages: at least one message is required");
        }
        boolean stream = false;
        JsonNode streamNode = root.get("stream");
        if (streamNode != null && !streamNode.isNull()) {
            if (!streamNode.isBoolean()) {
                throw ApiError.invalidRequest(prefix + "stream: Input should be a valid boolean");
            }
            stream = streamNode.booleanValue();
        }
        long promptBytes = contentBytes(root.get("system"));
        String lastUserText = "";
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw ApiError.invalidRequest(prefix + "messages." + i + ": Input should be a valid dictionary");
            }
            JsonNode role = message.get("role");
            if (role == null || !("user".equals(role.asText()) || "assistant".equals(role.asText()))) {
                throw ApiError.invalidRequest(prefix + "messages." + i + ".role: Input should be 'user' or 'assistant'");
            }
            JsonNode content = message.get("content");
            if (content == null || content.isNull()) {
                throw ApiError.invalidRequest(prefix + "messages." + i + ".content: Field required");
            }
            if (!content.isTextual() && !content.isArray()) {
                throw ApiError.invalidRequest(prefix + "messages." + i + ".content: Input should be a valid string or list");
            }
            promptBytes += contentBytes(content);
            if ("user".equals(role.asText())) {
                lastUserText = firstText(content);
            }
        }
        return new MessagesRequest(model.asText(), maxTokens, stream, lastUserText, promptBytes);
    }

    private static String firstText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        for (JsonNode block : content) {
            JsonNode text = block.get("text");
            if ("text".equals(block.path("type").asText()) && text != null && text.isTextual()) {
                return text.asText();
            }
        }
        return "";
    }

    /** UTF-8 size of the text in a string or a list of blocks; non-text blocks count their JSON size. */
    private static long contentBytes(JsonNode content) {
        if (content == null || content.isNull()) {
            return 0;
        }
        if (content.isTextual()) {
            return utf8Length(content.asText());
        }
        long total = 0;
        if (content.isArray()) {
            for (JsonNode block : content) {
                JsonNode text = block.get("text");
                total += text != null && text.isTextual() ? utf8Length(text.asText()) : utf8Length(block.toString());
            }
        }
        return total;
    }

    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static int firstWhitespace(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return s.length();
    }
}
