package dev.keywarden.gateway;

import org.eclipse.jetty.http.HttpHeader;

import java.util.Locale;
import java.util.Set;

/** Header names the gateway reads, sets or filters, and the filtering rules in one place. */
final class GatewayHeaders {

    static final String REQUEST_ID = "request-id";
    static final String KEYWARDEN_REQUEST_ID = "keywarden-request-id";
    static final String X_API_KEY = "x-api-key";
    static final String ANTHROPIC_VERSION = "anthropic-version";
    /** Sent upstream when a client (a bare curl, say) sends no {@code anthropic-version}; every SDK sends this value. */
    static final String DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

    /**
     * Request headers never forwarded upstream: hop-by-hop headers, the client's credentials
     * (the gateway sets its own {@code x-api-key}), cookies, content framing (recomputed),
     * {@code accept-encoding} (the gateway asks for identity so it can meter usage), and
     * forwarding headers that would disclose client addresses to the provider.
     */
    private static final Set<String> REQUEST_DROP = Set.of(
            "host", "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
            "te", "trailer", "transfer-encoding", "upgrade", "http2-settings", "content-length", "expect",
            "x-api-key", "authorization", "cookie", "accept-encoding",
            "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "via");

    /** Response headers never forwarded to the client: hop-by-hop ones and the provider's cookies. */
    private static final Set<String> RESPONSE_DROP = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer",
            "transfer-encoding", "upgrade", "set-cookie", "set-cookie2", "server", "date", "via", "alt-svc");

    private GatewayHeaders() {
    }

    static boolean forwardRequestHeader(HttpHeader known, String name) {
        return !REQUEST_DROP.contains(known != null ? known.lowerCaseName() : name.toLowerCase(Locale.ROOT));
    }

    /** Header names the client listed in {@code Connection} (hop-by-hop by declaration, RFC 9110 §7.6.1). */
    static Set<String> connectionTokens(org.eclipse.jetty.http.HttpFields headers) {
        java.util.List<String> values = headers.getValuesList(HttpHeader.CONNECTION);
        if (values.isEmpty()) {
            return Set.of();
        }
        java.util.Set<String> tokens = new java.util.HashSet<>();
        for (String v : values) {
            for (String t : v.split(",")) {
                if (!t.isBlank()) {
                    tokens.add(t.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        return tokens;
    }

    static boolean forwardResponseHeader(HttpHeader known, String name) {
        return !RESPONSE_DROP.contains(known != null ? known.lowerCaseName() : name.toLowerCase(Locale.ROOT));
    }
}
