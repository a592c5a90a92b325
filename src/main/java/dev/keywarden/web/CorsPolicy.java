package dev.keywarden.web;

import dev.keywarden.config.CorsConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which cross-origin browser calls the gateway allows ({@code cors.*}), as pure decisions on header values.
 *
 * <p>Guarantees: only an origin listed in {@code cors.allowed_origins} (compared exactly, in the form browsers send
 * it) — or any origin when {@code *} is listed — gets {@code Access-Control-Allow-Origin}; {@code Origin: null} never
 * does; {@code Access-Control-Allow-Credentials: true} is sent only with the echoed listed origin, never with
 * {@code *}; a preflight is allowed only for the methods the gateway's routes use ({@link #METHODS}) and the request
 * headers the Anthropic SDKs and {@code keywarden-web} send ({@link #HEADERS}, plus the TypeScript SDK's
 * {@code x-stainless-*}); every answer that depends on {@code Origin} says so with {@code Vary}.
 */
public final class CorsPolicy {

    /** The methods of the gateway's routes (Messages and tokens: POST; models, session: GET; batch and sign-out: DELETE). */
    static final List<String> METHODS = List.of("GET", "POST", "DELETE");
    /**
     * The request headers a cross-origin page may send: what {@code @anthropic-ai/sdk} in browser mode sends
     * (credentials, versions, betas, {@code anthropic-dangerous-direct-browser-access}, {@code x-stainless-*}), what
     * {@code keywarden-web} sends ({@code x-csrf-token}), and the CORS-safelisted ones a browser may still list
     * (checked against {@code @anthropic-ai/sdk} 1.12.0, {@code client.mjs buildHeaders}).
     */
    static final List<String> HEADERS = List.of("content-type", "accept", "accept-language", "content-language",
            "user-agent", "authorization", "x-api-key", "anthropic-version", "anthropic-beta",
            "anthropic-dangerous-direct-browser-access", "anthropic-workspace-id", "anthropic-user-profile-id", "x-csrf-token");
    /** Request headers allowed by prefix: the TypeScript SDK's platform and retry headers. */
    static final String STAINLESS_PREFIX = "x-stainless-";
    /** The response headers a page's script may read besides the safelisted ones (what the SDKs and keywarden-web read). */
    static final List<String> EXPOSED = exposed();

    private final Set<String> origins;
    private final boolean anyOrigin;
    private final boolean credentials;
    private final long maxAgeSeconds;

    public CorsPolicy(CorsConfig config) {
        this.origins = Set.copyOf(config.allowedOrigins());
        this.anyOrigin = config.anyOrigin();
        this.credentials = config.allowCredentials() && !anyOrigin;
        this.maxAgeSeconds = config.maxAge().toSeconds();
    }

    /** Whether any origin may call (otherwise the policy only refuses preflights and adds nothing). */
    boolean enabled() {
        return anyOrigin || !origins.isEmpty();
    }

    /** Whether a page on {@code origin} (the {@code Origin} header as sent) may read the gateway's answers. */
    public boolean allows(String origin) {
        if (origin == null) {
            return false;
        }
        String o = origin.strip();
        if (o.equalsIgnoreCase("null") || o.isEmpty()) {
            return false;
        }
        return anyOrigin || origins.contains(o);
    }

    /** The extra origins that may make credentialed (cookie) calls: the listed ones when credentials are allowed. */
    public Set<String> credentialedOrigins() {
        return credentials ? origins : Set.of();
    }

    /** The CORS headers of an answer to an ordinary (not preflight) request from {@code origin}; empty when not allowed. */
    Map<String, String> actual(String origin) {
        Map<String, String> h = new LinkedHashMap<>();
        if (!allows(origin)) {
            return h;
        }
        allowOrigin(h, origin.strip());
        h.put("Access-Control-Expose-Headers", String.join(", ", EXPOSED));
        return h;
    }

    /** The answer to a preflight: allowed (with its headers) or refused (with the reason, for the error body). */
    record Preflight(boolean allowed, String refusal, Map<String, String> headers) {
    }

    /**
     * Decides a preflight from {@code origin} for {@code method} ({@code Access-Control-Request-Method}) with
     * {@code requestHeaders} ({@code Access-Control-Request-Headers}, may be null).
     */
    Preflight preflight(String origin, String method, String requestHeaders) {
        Map<String, String> h = new LinkedHashMap<>();
        if (!allows(origin)) {
            return new Preflight(false, enabled()
                    ? "cross-origin calls from this origin are not allowed (it is not in cors.allowed_origins)"
                    : "cross-origin calls are not enabled on this gateway (cors.allowed_origins is empty)", h);
        }
        String m = method == null ? "" : method.strip();
        if (!METHODS.contains(m)) {
            return new Preflight(false, "cross-origin method " + clip(m) + " is not allowed; allowed: "
                    + String.join(", ", METHODS), h);
        }
        Set<String> allowedHeaders = new LinkedHashSet<>(HEADERS);
        for (String name : names(requestHeaders)) {
            if (name.startsWith(STAINLESS_PREFIX) && name.length() > STAINLESS_PREFIX.length() && token(name)) {
                allowedHeaders.add(name);
            } else if (!HEADERS.contains(name)) {
                return new Preflight(false, "cross-origin request header " + clip(name) + " is not allowed; allowed: "
                        + String.join(", ", HEADERS) + ", " + STAINLESS_PREFIX + "*", h);
            }
        }
        allowOrigin(h, origin.strip());
        h.put("Access-Control-Allow-Methods", String.join(", ", METHODS));
        h.put("Access-Control-Allow-Headers", String.join(", ", allowedHeaders));
        h.put("Access-Control-Max-Age", Long.toString(maxAgeSeconds));
        return new Preflight(true, null, h);
    }

    private void allowOrigin(Map<String, String> h, String origin) {
        if (anyOrigin && !origins.contains(origin)) {
            h.put("Access-Control-Allow-Origin", "*");
            return;
        }
        h.put("Access-Control-Allow-Origin", origin);
        if (credentials) {
            h.put("Access-Control-Allow-Credentials", "true");
        }
    }

    private static List<String> names(String requestHeaders) {
        List<String> out = new ArrayList<>();
        if (requestHeaders == null) {
            return out;
        }
        for (String part : requestHeaders.split(",")) {
            String n = part.strip().toLowerCase(Locale.ROOT);
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return out;
    }

    /** An RFC 9110 token (so an echoed header name can never break the header it is written into). */
    private static boolean token(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static List<String> exposed() {
        List<String> e = new ArrayList<>(List.of("request-id", "keywarden-request-id", "keywarden-guard", "retry-after",
                "retry-after-ms", "x-should-retry", "ratelimit", "ratelimit-policy", "anthropic-workspace-id"));
        for (String kind : List.of("requests", "tokens", "input-tokens", "output-tokens")) {
            for (String field : List.of("limit", "remaining", "reset")) {
                e.add("anthropic-ratelimit-" + kind + "-" + field);
            }
        }
        return List.copyOf(e);
    }

    private static String clip(String s) {
        String v = s.replaceAll("[^A-Za-z0-9_.-]", "?");
        return v.length() > 40 ? v.substring(0, 40) + "…" : v;
    }
}
