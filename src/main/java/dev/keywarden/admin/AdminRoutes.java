package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin API's routing table: {@code METHOD /path/{param}} patterns mapped to operations. Each
 * operation receives the path parameters and the JSON body and returns a JSON-serialisable result
 * (or throws {@link AdminError}). Operations are registered by the features that own them.
 */
public final class AdminRoutes {

    /** One admin operation. */
    @FunctionalInterface
    public interface Operation {
        Object apply(Map<String, String> params, JsonNode body);
    }

    record Route(String method, Pattern pattern, List<String> names, Operation operation) { }

    /** A matched operation, or why none matched. */
    record Match(Operation operation, Map<String, String> params, boolean pathKnown) { }

    private final List<Route> routes = new ArrayList<>();

    /** Registers {@code method path} where path segments like {@code {id}} capture identifiers. */
    public AdminRoutes add(String method, String path, Operation operation) {
        List<String> names = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        for (String segment : path.substring(1).split("/")) {
            regex.append('/');
            if (segment.startsWith("{") && segment.endsWith("}")) {
                names.add(segment.substring(1, segment.length() - 1));
                regex.append("([A-Za-z0-9_.:\\-]{1,128})");
            } else {
                regex.append(Pattern.quote(segment));
            }
        }
        routes.add(new Route(method, Pattern.compile(regex.toString()), List.copyOf(names), operation));
        return this;
    }

    Match match(String method, String path) {
        boolean known = false;
        for (Route r : routes) {
            Matcher m = r.pattern.matcher(path);
            if (!m.matches()) {
                continue;
            }
            known = true;
            if (r.method.equals(method)) {
                Map<String, String> params = new java.util.HashMap<>();
                for (int i = 0; i < r.names.size(); i++) {
                    params.put(r.names.get(i), m.group(i + 1));
                }
                return new Match(r.operation, params, true);
            }
        }
        return new Match(null, Map.of(), known);
    }
}
