package dev.keywarden.web;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * The cross-site half of CSRF protection (the other half is the per-session token): a state-changing request from a
 * browser must come from this gateway's own origin. {@code Sec-Fetch-Site}, when sent, must be {@code same-origin};
 * {@code Origin}, when sent, must name the host and port the request was sent to (its {@code Host}) or one of the
 * extra allowed origins. A client that sends neither (not a browser: curl, an SDK) passes this check and still needs
 * the CSRF token.
 */
public final class OriginCheck {

    private final Set<String> allowedOrigins;

    /** @param allowedOrigins further origins ({@code https://app.example.com}) allowed besides the gateway's own */
    public OriginCheck(Set<String> allowedOrigins) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /** Why {@code request} looks cross-site, or null when it does not. */
    String refusal(Request request) {
        String fetchSite = request.getHeaders().get("sec-fetch-site");
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && allowedOrigins.contains(origin.strip().toLowerCase(Locale.ROOT))) {
            return null;
        }
        if (fetchSite != null && !fetchSite.strip().equalsIgnoreCase("same-origin")) {
            return "cross-site request refused (Sec-Fetch-Site: " + clip(fetchSite) + ")";
        }
        if (origin != null && !sameAsHost(origin, request.getHeaders().get(HttpHeader.HOST))) {
            return "cross-origin request refused: the Origin is not this gateway";
        }
        return null;
    }

    static boolean sameAsHost(String origin, String host) {
        if (host == null || origin.strip().equalsIgnoreCase("null")) {
            return false;
        }
        URI o;
        try {
            o = new URI(origin.strip());
        } catch (URISyntaxException e) {
            return false;
        }
        if (o.getScheme() == null || o.getHost() == null) {
            return false;
        }
        int defaultPort = o.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        int originPort = o.getPort() > 0 ? o.getPort() : defaultPort;
        String h = host.strip();
        String hostName;
        int hostPort;
        int colon = h.lastIndexOf(':');
        if (colon > 0 && !h.endsWith("]")) {
            hostName = h.substring(0, colon);
            try {
                hostPort = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                return false;
            }
        } else {
            hostName = h;
            hostPort = defaultPort;
        }
        return hostName.equalsIgnoreCase(o.getHost()) && hostPort == originPort;
    }

    private static String clip(String s) {
        String v = s.strip().replaceAll("[^A-Za-z-]", "");
        return v.length() > 20 ? v.substring(0, 20) : v;
    }
}
