package dev.keywarden.auth.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a short-lived token may be used for. Each scope is optional; an absent scope (null) allows
 * anything. Immutable once the token is minted, so it may be cached freely.
 *
 * @param models    allowed {@code model} values of a request body
 * @param maxTokens the largest {@code max_tokens} a {@code messages} call may ask for
 * @param endpoints allowed route ids ({@code messages}, {@code count_tokens}, {@code models.list}…)
 * @param origins   allowed {@code Origin} header values (a call without one is refused)
 */
public record TokenScopes(Set<String> models, Long maxTokens, Set<String> endpoints, Set<String> origins) {

    /** No restriction at all. */
    public static final TokenScopes ANY = new TokenScopes(null, null, null, null);

    private static final ObjectMapper JSON = new ObjectMapper();

    public TokenScopes {
        models = copy(models);
        endpoints = copy(endpoints);
        origins = copy(origins);
    }

    private static Set<String> copy(Set<String> values) {
        return values == null ? null : java.util.Collections.unmodifiableSet(new LinkedHashSet<>(values));
    }

    /** The scopes as the JSON text stored in the {@code tokens.scopes} column (absent scopes omitted). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toNode());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode token scopes", e);
        }
    }

    /** The scopes as a JSON object: the fields of the mint request, absent scopes omitted. */
    public ObjectNode toNode() {
        ObjectNode node = JSON.createObjectNode();
        putAll(node, "models", models);
        if (maxTokens != null) {
            node.put("max_tokens", maxTokens);
        }
        putAll(node, "endpoints", endpoints);
        putAll(node, "origins", origins);
        return node;
    }

    private static void putAll(ObjectNode node, String field, Collection<String> values) {
        if (values != null) {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }

    /** Reads what {@link #toJson} wrote. */
    public static TokenScopes fromJson(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return new TokenScopes(strings(node.get("models")), node.hasNonNull("max_tokens") ? node.get("max_tokens").asLong() : null,
                    strings(node.get("endpoints")), strings(node.get("origins")));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored token scopes are not valid JSON", e);
        }
    }

    private static Set<String> strings(JsonNode array) {
        if (array == null || array.isNull()) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
