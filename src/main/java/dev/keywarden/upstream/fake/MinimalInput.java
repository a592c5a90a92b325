package dev.keywarden.upstream.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;

/**
 * The smallest value that satisfies a tool's JSON Schema well enough for a client to accept a
 * simulated call: an object with only its {@code required} properties, each the minimal value of its
 * own schema ({@code const}, else the first {@code enum} value, else {@code default}, else by
 * {@code type}: {@code ""} padded to {@code minLength}, {@code minimum} or 0, {@code false},
 * {@code minItems} minimal items, {@code null}); {@code anyOf}/{@code oneOf} take the first branch,
 * {@code allOf} merges the objects of its branches.
 *
 * <p>Guarantee: always returns a value (an empty object for a missing or unreadable schema), and is
 * bounded: nesting deeper than {@value #MAX_DEPTH} levels, strings longer than
 * {@value #MAX_STRING} characters and arrays longer than {@value #MAX_ITEMS} items are cut short.
 */
final class MinimalInput {

    static final int MAX_DEPTH = 8;
    static final int MAX_STRING = 64;
    static final int MAX_ITEMS = 4;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MinimalInput() {
    }

    /** The minimal input object for a tool's {@code input_schema} (null: none). */
    static ObjectNode of(JsonNode inputSchema) {
        JsonNode value = inputSchema == null ? null : value(inputSchema, 0);
        return value instanceof ObjectNode o ? o : NODES.objectNode();
    }

    private static JsonNode value(JsonNode schema, int depth) {
        if (schema == null || !schema.isObject() || depth > MAX_DEPTH) {
            return NODES.nullNode();
        }
        if (schema.has("const")) {
            return schema.get("const").deepCopy();
        }
        JsonNode options = schema.get("enum");
        if (options != null && options.isArray() && !options.isEmpty()) {
            return options.get(0).deepCopy();
        }
        if (schema.has("default")) {
            return schema.get("default").deepCopy();
        }
        for (String union : new String[] {"anyOf", "oneOf"}) {
            JsonNode branches = schema.get(union);
            if (branches != null && branches.isArray() && !branches.isEmpty()) {
                return value(branches.get(0), depth + 1);
            }
        }
        JsonNode all = schema.get("allOf");
        if (all != null && all.isArray() && !all.isEmpty()) {
            ObjectNode merged = NODES.objectNode();
            for (JsonNode branch : all) {
                if (value(branch, depth + 1) instanceof ObjectNode o) {
                    merged.setAll(o);
                }
            }
            return merged;
        }
        return switch (type(schema)) {
            case "object" -> object(schema, depth);
            case "array" -> array(schema, depth);
            case "string" -> NODES.textNode("x".repeat(Math.min(MAX_STRING, Math.max(0, schema.path("minLength").asInt(0)))));
            case "integer" -> NODES.numberNode(schema.path("minimum").isNumber() ? (long) Math.ceil(schema.get("minimum").asDouble()) : 0L);
            case "number" -> NODES.numberNode(schema.path("minimum").isNumber() ? schema.get("minimum").asDouble() : 0);
            case "boolean" -> NODES.booleanNode(false);
            default -> NODES.nullNode();
        };
    }

    /** The schema's type; the first non-null one of a type list; {@code object} when it has properties. */
    private static String type(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual()) {
            return type.asText();
        }
        if (type != null && type.isArray()) {
            for (JsonNode t : type) {
                if (t.isTextual() && !"null".equals(t.asText())) {
                    return t.asText();
                }
            }
        }
        return schema.has("properties") || schema.has("required") ? "object" : "null";
    }

    private static ObjectNode object(JsonNode schema, int depth) {
        ObjectNode out = NODES.objectNode();
        JsonNode required = schema.get("required");
        if (required == null || !required.isArray()) {
            return out;
        }
        JsonNode properties = schema.path("properties");
        for (Iterator<JsonNode> it = required.elements(); it.hasNext(); ) {
            JsonNode name = it.next();
            if (name.isTextual()) {
                out.set(name.asText(), value(properties.get(name.asText()), depth + 1));
            }
        }
        return out;
    }

    private static ArrayNode array(JsonNode schema, int depth) {
        ArrayNode out = NODES.arrayNode();
        int n = Math.min(MAX_ITEMS, Math.max(0, schema.path("minItems").asInt(0)));
        for (int i = 0; i < n; i++) {
            out.add(value(schema.get("items"), depth + 1));
        }
        return out;
    }
}
