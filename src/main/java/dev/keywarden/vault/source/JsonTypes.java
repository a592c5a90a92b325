package dev.keywarden.vault.source;

import com.fasterxml.jackson.databind.JsonNode;

/** Names a JSON value's type for error messages ("a number", "an object"), never its content. */
final class JsonTypes {

    private JsonTypes() {
    }

    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case OBJECT, POJO -> "an object";
            case ARRAY -> "an array";
            case NULL, MISSING -> "null";
            case BINARY -> "binary";
            case STRING -> "a string";
        };
    }
}
