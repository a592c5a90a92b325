package dev.keywarden.web;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place that sets the browser security headers of the client listener, in front of every handler (the UI's
 * files, {@code /api/*}, the proxy, and the listener's error answers).
 *
 * <p>Guarantees: every answer carries {@code X-Content-Type-Options: nosniff}; every answer to a browser-facing path
 * (anything but the Messages API under {@code /v1/} and the health probes) also carries a strict
 * {@code Content-Security-Policy} without inline script or style and with {@code frame-ancestors 'none'},
 * {@code Referrer-Policy: no-referrer}, {@code Cross-Origin-Opener-Policy: same-origin} and
 * {@code X-Frame-Options: DENY}; every answer on a TLS connection carries {@code Strict-Transport-Security}. The
 * headers survive a response being reset and rewritten as an error ({@link StampedResponse}).
 */
public final class SecurityHeaders extends Handler.Wrapper {

    /**
     * The UI's policy: only the gateway's own scripts, styles, images and connections; no inline code, no plugins, no
     * framing, no {@code <base>} rewriting, forms only to the gateway.
     */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
            + "object-src 'none'";
    /** One year; sent only over TLS (browsers ignore it on plain HTTP). Sub-domains are left to their own servers. */
    public static final String HSTS = "max-age=31536000";

    private static final Map<String, String> API = Map.of("X-Content-Type-Options", "nosniff");
    private static final Map<String, String> BROWSER = browser();
    private static final Map<String, String> API_TLS = withHsts(API);
    private static final Map<String, String> BROWSER_TLS = withHsts(BROWSER);

    public SecurityHeaders(Handler next) {
        super(next);
    }

    /** The headers for a request to {@code path}, over TLS or not. */
    static Map<String, String> forRequest(String path, boolean secure) {
        if (api(path)) {
            return secure ? API_TLS : API;
        }
        return secure ? BROWSER_TLS : BROWSER;
    }

    /** The programs' API and the probes: no browser renders them, so only {@code nosniff} (and HSTS) applies. */
    static boolean api(String path) {
        return path != null && (path.startsWith("/v1/") || path.equals("/healthz") || path.equals("/readyz"));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
        return super.handle(request, StampedResponse.of(request, response, forRequest(path, request.isSecure())), callback);
    }

    private static Map<String, String> withHsts(Map<String, String> base) {
        Map<String, String> h = new LinkedHashMap<>(base);
        h.put("Strict-Transport-Security", HSTS);
        return Map.copyOf(h);
    }

    private static Map<String, String> browser() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Cross-Origin-Opener-Policy", "same-origin");
        h.put("X-Frame-Options", "DENY");
        return Map.copyOf(h);
    }
}
