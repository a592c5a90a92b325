package dev.keywarden.upstream.fake;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the fake needs from a Messages request body, validated like the real API validates the
 * fields it relies on.
 *
 * <p>Guarantee: a constructed instance has a non-blank model, {@code maxTokens >= 1} (when
 * required), and a non-empty list of messages with valid roles; otherwise an {@link ApiError} 400
 * names the offending field, e.g. {@code max_tokens: Field required}. A {@code "role":"system"}
 * message inside {@code messages} is valid under the betas that allow it
 * ({@link Betas#allowMidConversationSystem()}); without them it is refused in the real API's words
 * ({@link #UNEXPECTED_SYSTEM_ROLE}), which clients such as Claude Code recognise and answer by
 * resending without it.
 *
 * @param model          the requested model id, echoed in the answer
 * @param maxTokens      the word budget of the answer (0 for count_tokens, where it is not used)
 * @param stream         whether the client asked for SSE
 * @param lastUserText   text of the last user message (its last text block), or "" when it has none
 * @param promptBytes    UTF-8 size of the prompt text (system and message content)
 * @param tools          the client tools offered ({@code tools} entries with a name), in order
 * @param toolChoice     {@code tool_choice} ({@link ToolChoice#AUTO} when absent)
 * @param toolResultText text of the {@code tool_result} blocks in the last user message, or null when
 *                       it carries none (the request is not a tool-use follow-up)
 */
record MessagesRequest(String model, int maxTokens, boolean stream, String lastUserText, long promptBytes,
                       List<OfferedTool> tools, ToolChoice toolChoice, String toolResultText) {

    /** The real API's words for a {@code system} role it does not accept inside {@code messages}. */
    static final String UNEXPECTED_SYSTEM_ROLE = "messages: Unexpected role \"system\". The Messages API accepts a top-level "
            + "`system` parameter, not \"system\" as an input message role.";

    /**
     * A client tool offered in {@code tools}.
     *
     * @param name        the tool's name
     * @param inputSchema its {@code input_schema}, or null (server tools have none)
     */
    record OfferedTool(String name, JsonNode inputSchema) {
    }

    /**
     * {@code tool_choice}: {@code auto}, {@code any}, {@code tool} (with {@code name}) or {@code none}.
     *
     * @param type the choice type
     * @param name the tool's name for type {@code tool}, else null
     */
    record ToolChoice(String type, String name) {
        static final ToolChoice AUTO = new ToolChoice("auto", null);

        /** True when the model must call a tool ({@code any} or {@code tool}). */
        boolean forces() {
            return "any".equals(type) || "tool".equals(type);
        }
    }

    MessagesRequest {
        tools = List.copyOf(tools);
    }

    /** Reads a {@code POST /v1/messages} body (or a batch request's {@code params}) sent without betas. */
    static MessagesRequest forMessages(JsonNode root, String fieldPrefix) {
        return read(root, fieldPrefix, true, Betas.NONE);
    }

    /** Reads a {@code POST /v1/messages} body (or a batch request's {@code params}) sent under {@code betas}. */
    static MessagesRequest forMessages(JsonNode root, String fieldPrefix, Betas betas) {
        return read(root, fieldPrefix, true, betas);
    }

    /** Reads a {@code POST /v1/messages/count_tokens} body: {@code max_tokens} is not needed. */
    static MessagesRequest forCountTokens(JsonNode root, Betas betas) {
        return read(root, "", false, betas);
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

    private static MessagesRequest read(JsonNode root, String prefix, boolean needMaxTokens, Betas betas) {
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
        String toolResultText = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw ApiError.invalidRequest(prefix + "messages." + i + ": Input should be a valid dictionary");
            }
            JsonNode role = message.get("role");
            String roleName = role == null || !role.isTextual() ? "" : role.asText();
            if ("system".equals(roleName) && !betas.allowMidConversationSystem()) {
                throw ApiError.invalidRequest(prefix + UNEXPECTED_SYSTEM_ROLE);
            }
            if (!("user".equals(roleName) || "assistant".equals(roleName) || "system".equals(roleName))) {
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
            if ("user".equals(roleName)) {
                lastUserText = lastText(content);
                toolResultText = toolResultText(content);
            }
        }
        List<OfferedTool> tools = tools(root.get("tools"));
        promptBytes += toolBytes(root.get("tools"));
        return new MessagesRequest(model.asText(), maxTokens, stream, lastUserText, promptBytes, tools,
                toolChoice(root.get("tool_choice")), toolResultText);
    }

    /** The text a person typed last: a string content, or the last text block (clients put context blocks first). */
    private static String lastText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        String last = "";
        for (JsonNode block : content) {
            JsonNode text = block.get("text");
            if ("text".equals(block.path("type").asText()) && text != null && text.isTextual()) {
                last = text.asText();
            }
        }
        return last;
    }

    /** The text of the tool_result blocks in {@code content} joined by newlines, or null when there is none. */
    private static String toolResultText(JsonNode content) {
        if (!content.isArray()) {
            return null;
        }
        StringBuilder sb = null;
        for (JsonNode block : content) {
            if (!"tool_result".equals(block.path("type").asText())) {
                continue;
            }
            sb = sb == null ? new StringBuilder() : sb.append('\n');
            JsonNode result = block.get("content");
            if (result != null && result.isTextual()) {
                sb.append(result.asText());
            } else if (result != null && result.isArray()) {
                for (JsonNode part : result) {
                    if (part.path("text").isTextual()) {
                        sb.append(part.get("text").asText()).append(' ');
                    }
                }
            }
        }
        return sb == null ? null : sb.toString().strip();
    }

    /** Client tools with a name, in order; anything else in {@code tools} is the real API's to judge, not the fake's. */
    private static List<OfferedTool> tools(JsonNode tools) {
        if (tools == null || !tools.isArray()) {
            return List.of();
        }
        List<OfferedTool> out = new ArrayList<>(tools.size());
        for (JsonNode tool : tools) {
            JsonNode name = tool.get("name");
            if (tool.isObject() && name != null && name.isTextual()) {
                JsonNode schema = tool.get("input_schema");
                out.add(new OfferedTool(name.asText(), schema != null && schema.isObject() ? schema : null));
            }
        }
        return out;
    }

    private static long toolBytes(JsonNode tools) {
        return tools == null || !tools.isArray() ? 0 : utf8Length(tools.toString());
    }

    /** {@code tool_choice}; a type the fake does not know is read as {@code auto}. */
    private static ToolChoice toolChoice(JsonNode choice) {
        String type = choice == null ? "auto" : choice.path("type").asText();
        return switch (type) {
            case "any", "none" -> new ToolChoice(type, null);
            case "tool" -> new ToolChoice(type, choice.path("name").isTextual() ? choice.get("name").asText() : null);
            default -> ToolChoice.AUTO;
        };
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
