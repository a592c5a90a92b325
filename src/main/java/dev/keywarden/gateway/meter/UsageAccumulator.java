package dev.keywarden.gateway.meter;

import dev.keywarden.pipeline.Usage;
import com.fasterxml.jackson.databind.JsonNode;

/** Collects usage fields as they are reported; later reports override earlier ones field by field. */
final class UsageAccumulator {

    long input;
    long output;
    long cacheCreation;
    long cacheRead;
    String model;
    String stopReason;
    String errorType;

    /** Takes every usage count present in {@code usage} (an Anthropic {@code usage} object). */
    void takeUsage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return;
        }
        input = number(usage, "input_tokens", input);
        output = number(usage, "output_tokens", output);
        cacheCreation = number(usage, "cache_creation_input_tokens", cacheCreation);
        cacheRead = number(usage, "cache_read_input_tokens", cacheRead);
    }

    void set(String field, long value) {
        switch (field) {
            case "input_tokens" -> input = value;
            case "output_tokens" -> output = value;
            case "cache_creation_input_tokens" -> cacheCreation = value;
            case "cache_read_input_tokens" -> cacheRead = value;
            default -> { }
        }
    }

    Usage toUsage() {
        return new Usage(input, output, cacheCreation, cacheRead, model, stopReason);
    }

    private static long number(JsonNode node, String field, long fallback) {
        JsonNode n = node.get(field);
        return n != null && n.canConvertToLong() ? n.asLong() : fallback;
    }
}
