package dev.keywarden.store;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which calls a provider key may serve. {@code routes} are gateway route names; an entry matches
 * the route itself and every route below it ({@code models} matches {@code models.list} and
 * {@code models.get}; {@code batches} every batch route); {@code *} matches every route.
 * {@code principals} is reserved for restricting a key to some clients (empty = any); it is stored
 * but not enforced yet, because the selection seam does not receive the principal.
 *
 * <p>Guarantee: an instance has at least one route and only names made of lowercase letters,
 * digits, {@code _}, {@code -}, {@code .} (principals may also contain {@code :} and {@code @}), so
 * the comma-separated stored form round-trips exactly.
 */
public record KeyScope(List<String> routes, List<String> principals) {

    private static final Pattern ROUTE = Pattern.compile("\\*|[a-z0-9_][a-z0-9_.-]*");
    private static final Pattern PRINCIPAL = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@-]*");

    /** Every route, any principal. */
    public static final KeyScope ALL = new KeyScope(List.of("*"), List.of());

    public KeyScope {
        routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
        principals = List.copyOf(Objects.requireNonNull(principals, "principals"));
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("a key scope needs at least one route (or '*' for all routes)");
        }
        for (String r : routes) {
            if (!ROUTE.matcher(r).matches()) {
                throw new IllegalArgumentException("invalid route '" + r
                        + "' in key scope; use route names like messages, count_tokens, models, batches or '*'");
            }
        }
        for (String p : principals) {
            if (!PRINCIPAL.matcher(p).matches()) {
                throw new IllegalArgumentException("invalid principal '" + p + "' in key scope");
            }
        }
    }

    /** Routes only, any principal. */
    public static KeyScope ofRoutes(String... routes) {
        return new KeyScope(List.of(routes), List.of());
    }

    /** Whether a call on {@code route} (e.g. {@code models.list}) may use the key. */
    public boolean allowsRoute(String route) {
        for (String r : routes) {
            if (r.equals("*") || r.equals(route)
                    || (route.length() > r.length() && route.startsWith(r) && route.charAt(r.length()) == '.')) {
                return true;
            }
        }
        return false;
    }

    /** Comma-separated routes, the stored form. */
    public String routesText() {
        return String.join(",", routes);
    }

    /** Comma-separated principals, or null when any principal may use the key. */
    public String principalsText() {
        return principals.isEmpty() ? null : String.join(",", principals);
    }

    /** Parses the stored form (see {@link #routesText()} and {@link #principalsText()}). */
    public static KeyScope parse(String routes, String principals) {
        return new KeyScope(split(routes), principals == null ? List.of() : split(principals));
    }

    private static List<String> split(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
