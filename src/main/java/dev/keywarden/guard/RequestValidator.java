package dev.keywarden.guard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.config.GuardConfig;

import java.util.List;

/**
 * Checks the shape of a {@code POST /v1/messages} body before it goes upstream: {@code model} a
 * non-empty string (on the tier's allow-list when it has one), {@code max_tokens} a positive
 * integer, {@code messages} a non-empty array of {@code {role: user|assistant, content: string |
 * array of blocks with a type}}, {@code system} a string or blocks, {@code tools} an array; plus the
 * configured caps. Unknown fields pass (the API evolves). Reports the first violation, naming the
 * field as Anthropic does ({@code messages.3.role}).
 */
final class RequestValidator {

    /** A violation: the field and what is wrong with it (no request content beyond the model name). */
    record Violation(String field, String problem) {
        String message() {
            return field + ": " + problem;
        }
    }

    private final GuardConfig.Validation caps;

    RequestValidator(GuardConfig.Validation caps) {
        this.caps = caps;
    }

    /** The first violation, or null when the request is valid. {@code models}: allowed globs, or null for any. */
    Violation check(JsonNode root, List<String> models) {
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            return new Violation("model", "required: a model name such as claude-sonnet-4-5");
        }
        if (models != null && !ModelGlobs.allows(models, model.asText())) {
            return new Violation("model", "'" + clip(model.asText()) + "' is not allowed for this key's tier; allowed: "
                    + String.join(", ", models));
        }
        JsonNode maxTokens = root.get("max_tokens");
        if (maxTokens == null || !maxTokens.isIntegralNumber() || maxTokens.asLong() <= 0) {
            return new Violation("max_tokens", "required: a positive integer");
        }
        if (caps.maxTokens() > 0 && maxTokens.asLong() > caps.maxTokens()) {
            return new Violation("max_tokens", maxTokens.asLong() + " is above this gateway's limit of " + caps.maxTokens());
        }
        Violation v = system(root.get("system"));
        if (v != null) {
            return v;
        }
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray()) {
            return new Violation("messages", "required: an array of messages");
        }
        if (messages.isEmpty()) {
            return new Violation("messages", "must contain at least one message");
        }
        if (caps.maxMessages() > 0 && messages.size() > caps.maxMessages()) {
            return new Violation("messages", messages.size() + " messages is above this gateway's limit of " + caps.maxMessages());
        }
        for (int i = 0; i < messages.size(); i++) {
            v = message(messages.get(i), "messages." + i);
            if (v != null) {
                return v;
            }
        }
        JsonNode tools = root.get("tools");
        if (tools != null && !tools.isNull()) {
            if (!tools.isArray()) {
                return new Violation("tools", "must be an array of tool definitions");
            }
            if (caps.maxTools() > 0 && tools.size() > caps.maxTools()) {
                return new Violation("tools", tools.size() + " tools is above this gateway's limit of " + caps.maxTools());
            }
        }
        if (caps.maxPromptChars() > 0) {
            long total = 0;
            for (PromptTexts.Slot s : PromptTexts.of(root)) {
                total += s.text().length();
            }
            if (total > caps.maxPromptChars()) {
                return new Violation("messages", "the prompt text totals " + total + " characters, above this gateway's limit of "
                        + caps.maxPromptChars());
            }
        }
        return null;
    }

    private static Violation system(JsonNode system) {
        if (system == null || system.isNull() || system.isTextual()) {
            return null;
        }
        if (!system.isArray()) {
            return new Violation("system", "must be a string or an array of text blocks");
        }
        return blocks(system, "system");
    }

    private static Violation message(JsonNode m, String at) {
        if (m == null || !m.isObject()) {
            return new Violation(at, "must be an object with role and content");
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual() || !(role.asText().equals("user") || role.asText().equals("assistant"))) {
            return new Violation(at + ".role", "must be \"user\" or \"assistant\"");
        }
        JsonNode content = m.get("content");
        if (content == null || !(content.isTextual() || content.isArray())) {
            return new Violation(at + ".content", "required: a string or an array of content blocks");
        }
        return content.isArray() ? blocks(content, at + ".content") : null;
    }

    private static Violation blocks(JsonNode array, String at) {
        for (int j = 0; j < array.size(); j++) {
            JsonNode b = array.get(j);
            String here = at + "." + j;
            if (b == null || !b.isObject()) {
                return new Violation(here, "must be a content block object with a type");
            }
            JsonNode type = b.get("type");
            if (type == null || !type.isTextual() || type.asText().isBlank()) {
                return new Violation(here + ".type", "required: the block type, such as \"text\"");
            }
            if (type.asText().equals("text") && (b.get("text") == null || !b.get("text").isTextual())) {
                return new Violation(here + ".text", "required: a string");
            }
        }
        return null;
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
