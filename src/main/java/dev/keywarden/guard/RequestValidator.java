package dev.keywarden.guard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.config.GuardConfig;

import java.math.BigDecimal;
import java.util.List;

/**
 * The operator's policy on a {@code POST /v1/messages} body: the tier's model allow-list and the
 * configured caps on {@code max_tokens}, message count, prompt size and tool count.
 *
 * <p>Guarantee: never stricter than the real API. It does not re-implement the API's schema: roles
 * ({@code "role":"system"} mid-conversation included), content-block types, fields and shapes it
 * does not need pass through, and the API itself answers any fault in them. It refuses a request
 * only when a configured policy is broken, or when a field a configured policy needs is missing or
 * of the wrong type — a fault the API refuses too, worded as the API words it
 * ({@code model: Field required}). Reports the first violation, naming the field as Anthropic does.
 */
final class RequestValidator {

    /** A violation: the field and what is wrong with it (no request content beyond the model name). */
    record Violation(String field, String problem) {
        String message() {
            return field + ": " + problem;
        }
    }

    /** The API's words for a required field that is absent. */
    static final String FIELD_REQUIRED = "Field required";

    private final GuardConfig.Validation caps;

    RequestValidator(GuardConfig.Validation caps) {
        this.caps = caps;
    }

    /** The first violation, or null when the request keeps the operator's policy. {@code models}: allowed globs, or null for any. */
    Violation check(JsonNode root, List<String> models) {
        Violation v = model(root.get("model"), models);
        if (v == null) {
            v = maxTokens(root.get("max_tokens"));
        }
        if (v == null) {
            v = messageCount(root.get("messages"));
        }
        if (v == null) {
            v = toolCount(root.get("tools"));
        }
        if (v == null) {
            v = promptSize(root);
        }
        return v;
    }

    private static Violation model(JsonNode model, List<String> models) {
        if (models == null) {
            return null;
        }
        if (model == null || model.isNull()) {
            return new Violation("model", FIELD_REQUIRED);
        }
        if (!model.isTextual()) {
            return new Violation("model", "Input should be a valid string");
        }
        if (!ModelGlobs.allows(models, model.asText())) {
            return new Violation("model", "'" + clip(model.asText()) + "' is not allowed for this key's tier; allowed: "
                    + String.join(", ", models));
        }
        return null;
    }

    private Violation maxTokens(JsonNode maxTokens) {
        if (caps.maxTokens() <= 0) {
            return null;
        }
        if (maxTokens == null || maxTokens.isNull()) {
            return new Violation("max_tokens", FIELD_REQUIRED);
        }
        BigDecimal value = number(maxTokens);
        if (value == null) {
            return new Violation("max_tokens", "Input should be a valid integer");
        }
        if (value.compareTo(BigDecimal.valueOf(caps.maxTokens())) > 0) {
            return new Violation("max_tokens", value.toPlainString() + " is above this gateway's limit of " + caps.maxTokens());
        }
        return null;
    }

    /** A number, or a string holding one (the API's parser is lenient about both); null otherwise. */
    private static BigDecimal number(JsonNode node) {
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isTextual() && node.asText().length() <= 40) {
            try {
                return new BigDecimal(node.asText().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private Violation messageCount(JsonNode messages) {
        if (caps.maxMessages() > 0 && messages != null && messages.isArray() && messages.size() > caps.maxMessages()) {
            return new Violation("messages", messages.size() + " messages is above this gateway's limit of " + caps.maxMessages());
        }
        return null;
    }

    private Violation toolCount(JsonNode tools) {
        if (caps.maxTools() > 0 && tools != null && tools.isArray() && tools.size() > caps.maxTools()) {
            return new Violation("tools", tools.size() + " tools is above this gateway's limit of " + caps.maxTools());
        }
        return null;
    }

    private Violation promptSize(JsonNode root) {
        if (caps.maxPromptChars() <= 0) {
            return null;
        }
        long total = 0;
        for (PromptTexts.Slot s : PromptTexts.of(root)) {
            total += s.text().length();
        }
        if (total > caps.maxPromptChars()) {
            return new Violation("messages", "the prompt text totals " + total + " characters, above this gateway's limit of "
                    + caps.maxPromptChars());
        }
        return null;
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
