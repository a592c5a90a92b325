package dev.keywarden.auth.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.config.TokensConfig;
import dev.keywarden.pipeline.Route;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated mint request: the JSON body of {@code POST /v1/keywarden/tokens}, every field optional.
 * Unknown fields are refused (a typo such as {@code max_use} must not silently mint a token with the
 * defaults). Every refusal names the field and says what is accepted.
 */
public record TokenRequest(Duration ttl, int maxUses, TokenScopes scopes) {

    /** The request body is not acceptable; {@code getMessage()} names the field and is safe to return in a 400. */
    public static final class Invalid extends IllegalArgumentException {
        private final String field;

        Invalid(String field, String message) {
            super(field + ": " + message, null);
            this.field = field;
        }

        /** The offending field ({@code body} when the body itself is wrong). */
        public String field() {
            return field;
        }
    }

    static final List<String> FIELDS = List.of("ttl_seconds", "max_uses", "models", "max_tokens", "endpoints", "origins");
    static final int MAX_LIST = 100;
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@/\\-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The route ids a token may be scoped to: every proxied route. */
    public static final Set<String> ENDPOINT_IDS = Arrays.stream(Route.values()).filter(Route::proxied).map(Route::id)
            .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new));

    /**
     * Parses and validates {@code body} (empty means all defaults) against {@code policy}.
     *
     * @throws Invalid naming the first field that is wrong
     */
    public static TokenRequest parse(byte[] body, TokensConfig policy) {
        JsonNode root;
        if (body == null || body.length == 0) {
            root = JSON.createObjectNode();
        } else {
            try {
                root = JSON.readTree(body);
            } catch (java.io.IOException e) {
                throw new Invalid("body", "must be a JSON object");
            }
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("body", "must be a JSON object");
        }
        root.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw new Invalid(clip(name), "unknown field; the fields are " + String.join(", ", FIELDS));
            }
        });
        long maxTtlSeconds = policy.maxTtl().toSeconds();
        long ttl = integer(root, "ttl_seconds", policy.defaultTtl().toSeconds(), 1, maxTtlSeconds,
                "an integer number of seconds from 1 to " + maxTtlSeconds + " (tokens.max_ttl)");
        long uses = integer(root, "max_uses", policy.defaultUses(), 1, policy.maxUses(),
                "an integer from 1 to " + policy.maxUses() + " (tokens.max_uses)");
        Long maxTokens = root.has("max_tokens")
                ? integer(root, "max_tokens", 0, 1, Integer.MAX_VALUE, "a positive integer (the largest max_tokens a call may ask for)")
                : null;
        Set<String> models = list(root, "models", "model ids such as claude-sonnet-4-5", value -> {
            if (!MODEL.matcher(value).matches()) {
                throw new Invalid("models", "'" + clip(value) + "' is not a model id");
            }
            return value;
        });
        Set<String> endpoints = list(root, "endpoints", "endpoint ids: " + String.join(", ", ENDPOINT_IDS), value -> {
            if (!ENDPOINT_IDS.contains(value)) {
                throw new Invalid("endpoints", "'" + clip(value) + "' is not an endpoint; use " + String.join(", ", ENDPOINT_IDS));
            }
            return value;
        });
        Set<String> origins = list(root, "origins", "origins such as https://app.example.com", TokenRequest::origin);
        return new TokenRequest(Duration.ofSeconds(ttl), (int) uses, new TokenScopes(models, maxTokens, endpoints, origins));
    }

    private static long integer(JsonNode root, String field, long absent, long min, long max, String expected) {
        JsonNode n = root.get(field);
        if (n == null) {
            return absent;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            throw new Invalid(field, "must be " + expected);
        }
        return n.asLong();
    }

    private static Set<String> list(JsonNode root, String field, String expected,
                                    java.util.function.UnaryOperator<String> check) {
        JsonNode n = root.get(field);
        if (n == null) {
            return null;
        }
        if (!n.isArray() || n.isEmpty()) {
            throw new Invalid(field, "must be a non-empty list of " + expected + " (omit it to allow any)");
        }
        if (n.size() > MAX_LIST) {
            throw new Invalid(field, "lists at most " + MAX_LIST + " values");
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode item : n) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw new Invalid(field, "must be a list of " + expected);
            }
            out.add(check.apply(item.asText().strip()));
        }
        return out;
    }

    /** An origin exactly as browsers send it: scheme://host[:port], lower case, no path. */
    static String origin(String raw) {
        try {
            URI u = new URI(raw);
            boolean ok = ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                    && u.getHost() != null && u.getUserInfo() == null && (u.getRawPath() == null || u.getRawPath().isEmpty())
                    && u.getRawQuery() == null && u.getRawFragment() == null;
            if (ok) {
                return raw.toLowerCase(Locale.ROOT);
            }
        } catch (URISyntaxException e) {
            // fall through
        }
        throw new Invalid("origins", "'" + clip(raw) + "' is not an origin; write scheme://host[:port] with no path, e.g. https://app.example.com");
    }

    private static String clip(String s) {
        String one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() <= 60 ? one : one.substring(0, 60) + "…";
    }

}
