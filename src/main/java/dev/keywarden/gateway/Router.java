package dev.keywarden.gateway;

import dev.keywarden.pipeline.Route;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Maps a method and raw path to a {@link Route}. Distinguishes an unknown path (404) from a known
 * path used with the wrong method (405, with the allowed methods). Path parameters (model and
 * batch ids) must be plain identifiers, so nothing resembling traversal or encoding tricks is
 * ever forwarded upstream.
 */
final class Router {

    /** Outcome of routing: a route, or a 404/405 explanation. */
    record Match(Route route, List<String> allowedMethods) {
        boolean found() {
            return route != null;
        }

        boolean methodNotAllowed() {
            return route == null && !allowedMethods.isEmpty();
        }
    }

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,127}");
    private static final Match NOT_FOUND = new Match(null, List.of());

    private Router() {
    }

    static Match match(String method, String path) {
        if (!path.startsWith("/")) {
            return NOT_FOUND;
        }
        switch (path) {
            case "/v1/messages" -> { return only(method, "POST", Route.MESSAGES); }
            case "/v1/messages/count_tokens" -> { return only(method, "POST", Route.COUNT_TOKENS); }
            case "/v1/models" -> { return only(method, "GET", Route.MODELS_LIST); }
            case "/v1/messages/batches" -> {
                return switch (method) {
                    case "GET" -> new Match(Route.BATCH_LIST, List.of());
                    case "POST" -> new Match(Route.BATCH_CREATE, List.of());
                    default -> new Match(null, List.of("GET", "POST"));
                };
            }
            case "/v1/keywarden/tokens" -> { return only(method, "POST", Route.TOKENS_CREATE); }
            case "/healthz" -> { return only(method, "GET", Route.HEALTHZ); }
            case "/readyz" -> { return only(method, "GET", Route.READYZ); }
            default -> { }
        }
        if (path.startsWith("/v1/models/")) {
            String id = path.substring("/v1/models/".length());
            return ID.matcher(id).matches() ? only(method, "GET", Route.MODEL_GET) : NOT_FOUND;
        }
        if (path.startsWith("/v1/messages/batches/")) {
            String rest = path.substring("/v1/messages/batches/".length());
            int slash = rest.indexOf('/');
            String id = slash < 0 ? rest : rest.substring(0, slash);
            if (!ID.matcher(id).matches()) {
                return NOT_FOUND;
            }
            String tail = slash < 0 ? "" : rest.substring(slash);
            return switch (tail) {
                case "" -> switch (method) {
                    case "GET" -> new Match(Route.BATCH_GET, List.of());
                    case "DELETE" -> new Match(Route.BATCH_DELETE, List.of());
                    default -> new Match(null, List.of("GET", "DELETE"));
                };
                case "/cancel" -> only(method, "POST", Route.BATCH_CANCEL);
                case "/results" -> only(method, "GET", Route.BATCH_RESULTS);
                default -> NOT_FOUND;
            };
        }
        return NOT_FOUND;
    }

    private static Match only(String method, String allowed, Route route) {
        return method.equals(allowed) ? new Match(route, List.of()) : new Match(null, List.of(allowed));
    }
}
