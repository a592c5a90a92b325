package dev.keywarden.gateway;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Header names the gateway reads, sets or filters, and the filtering rules in one place.
 *
 * <p>Request headers reach upstream by an allow-list: the ones the Anthropic API uses
 * ({@link #API_HEADERS}, {@link #API_HEADER_PREFIXES}) plus any the operator adds
 * ({@code upstream.forward_headers}); everything else stays at the gateway. Never forwarded, whatever
 * the operator lists: the client's credentials (the gateway sets its own {@code x-api-key}),
 * cookies, hop-by-hop and framing headers, and proxies' headers that would disclose client
 * addresses ({@link #NEVER_FORWARDED}, {@link #NEVER_FORWARDED_PREFIXES}).
 */
final class GatewayHeaders {

    static final String REQUEST_ID = "request-id";
    static final String KEYWARDEN_REQUEST_ID = "keywarden-request-id";
    static final String X_API_KEY = "x-api-key";
    static final String ANTHROPIC_VERSION = "anthropic-version";
    /** Sent upstream when a client (a bare curl, say) sends no {@code anthropic-version}; every SDK sends this value. */
    static final String DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

    /** Request headers the API uses, forwarded by exact name. */
    static final Set<String> API_HEADERS = Set.of("content-type", "accept", "user-agent");
    /**
     * Request headers the API uses, forwarded by prefix: every {@code anthropic-*} header
     * ({@code anthropic-version}, {@code anthropic-beta}, {@code anthropic-dangerous-direct-browser-access}, …)
     * and the official SDKs' {@code x-stainless-*} telemetry.
     */
    static final List<String> API_HEADER_PREFIXES = List.of("anthropic-", "x-stainless-");

    /**
     * Request headers never forwarded, even when an operator lists them: hop-by-hop and framing
     * headers (recomputed), the client's credentials, cookies, {@code accept-encoding} (the gateway
     * asks for identity so it can meter usage) and forwarding headers that would disclose client
     * addresses to the provider.
     */
    static final Set<String> NEVER_FORWARDED = Set.of(
            "host", "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
            "te", "trailer", "transfer-encoding", "upgrade", "http2-settings", "content-length", "expect",
            X_API_KEY, "authorization", "cookie", "accept-encoding",
            "forwarded", "x-real-ip", "via", "true-client-ip", "cf-connecting-ip");
    /** Prefixes of request headers never forwarded: proxies' {@code x-forwarded-*} and {@code proxy-*}. */
    static final List<String> NEVER_FORWARDED_PREFIXES = List.of("x-forwarded-", "proxy-");

    /** Response headers never forwarded to the client: hop-by-hop ones and the provider's cookies. */
    private static final Set<String> RESPONSE_DROP = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer",
            "transfer-encoding", "upgrade", "set-cookie", "set-cookie2", "server", "date", "via", "alt-svc");

    private GatewayHeaders() {
    }

    /**
     * The request headers that travel upstream, in one immutable, checked list of names and prefixes.
     *
     * <p>Guarantee: {@link #forwards} is true only for a name on the built-in allow-list or the
     * operator's, and never for a name in {@link #NEVER_FORWARDED} or under
     * {@link #NEVER_FORWARDED_PREFIXES}; {@link #of} refuses an operator entry that would cover one.
     */
    static final class RequestFilter {

        /** The built-in allow-list alone. */
        static final RequestFilter API_ONLY = new RequestFilter(Set.of(), List.of());

        private final Set<String> names;
        private final List<String> prefixes;

        private RequestFilter(Set<String> names, List<String> prefixes) {
            this.names = names;
            this.prefixes = prefixes;
        }

        /**
         * The allow-list plus the operator's entries: lower-case header names, or prefixes ending in
         * {@code *} ({@code x-claude-code-*}).
         *
         * @throws IllegalArgumentException naming the first entry that is not a header name or that
         *                                  would forward a credential, cookie, hop-by-hop or proxy header
         */
        static RequestFilter of(List<String> operatorEntries) {
            if (operatorEntries.isEmpty()) {
                return API_ONLY;
            }
            Set<String> names = new HashSet<>();
            List<String> prefixes = new ArrayList<>();
            for (String raw : operatorEntries) {
                String entry = raw.strip().toLowerCase(Locale.ROOT);
                boolean prefix = entry.endsWith("*");
                String stem = prefix ? entry.substring(0, entry.length() - 1) : entry;
                if (stem.isEmpty() || !stem.chars().allMatch(RequestFilter::tokenChar)) {
                    throw new IllegalArgumentException("'" + raw.strip() + "' is not a header name (letters, digits and -, "
                            + "optionally ending in * for a prefix)");
                }
                if (covers(stem, prefix)) {
                    throw new IllegalArgumentException("'" + raw.strip() + "' would forward credentials, cookies, hop-by-hop or "
                            + "proxy headers, which never go upstream; list narrower names");
                }
                if (prefix) {
                    prefixes.add(stem);
                } else {
                    names.add(stem);
                }
            }
            return new RequestFilter(Set.copyOf(names), List.copyOf(prefixes));
        }

        /** Whether the header {@code lowerCaseName} travels upstream. */
        boolean forwards(String lowerCaseName) {
            if (neverForwarded(lowerCaseName)) {
                return false;
            }
            if (API_HEADERS.contains(lowerCaseName) || names.contains(lowerCaseName)) {
                return true;
            }
            for (String p : API_HEADER_PREFIXES) {
                if (lowerCaseName.startsWith(p)) {
                    return true;
                }
            }
            for (String p : prefixes) {
                if (lowerCaseName.startsWith(p)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean neverForwarded(String lowerCaseName) {
            if (NEVER_FORWARDED.contains(lowerCaseName)) {
                return true;
            }
            for (String p : NEVER_FORWARDED_PREFIXES) {
                if (lowerCaseName.startsWith(p)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether a name (or, for a prefix, any name it matches) is never forwarded. */
        private static boolean covers(String stem, boolean prefix) {
            if (neverForwarded(stem)) {
                return true;
            }
            if (!prefix) {
                return false;
            }
            for (String n : NEVER_FORWARDED) {
                if (n.startsWith(stem)) {
                    return true;
                }
            }
            for (String p : NEVER_FORWARDED_PREFIXES) {
                if (p.startsWith(stem)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean tokenChar(int c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        }
    }

    /**
     * The headers of the upstream request for a client's {@code headers}: the ones {@code filter}
     * forwards (minus any the client declared hop-by-hop in {@code Connection}), the default
     * {@code anthropic-version} when the client sent none, and {@code accept-encoding: identity}.
     * The provider key is added later, per attempt ({@link UpstreamCall}).
     */
    static HttpFields upstreamRequestHeaders(HttpFields headers, RequestFilter filter) {
        HttpFields.Mutable out = HttpFields.build(headers.size() + 2);
        Set<String> connectionTokens = connectionTokens(headers);
        for (HttpField f : headers) {
            String name = f.getLowerCaseName();
            if (filter.forwards(name) && !connectionTokens.contains(name)) {
                out.add(f);
            }
        }
        if (!out.contains(ANTHROPIC_VERSION)) {
            out.put(ANTHROPIC_VERSION, DEFAULT_ANTHROPIC_VERSION);
        }
        out.put(HttpHeader.ACCEPT_ENCODING, "identity");
        return out.asImmutable();
    }

    /** Header names the client listed in {@code Connection} (hop-by-hop by declaration, RFC 9110 §7.6.1). */
    static Set<String> connectionTokens(HttpFields headers) {
        List<String> values = headers.getValuesList(HttpHeader.CONNECTION);
        if (values.isEmpty()) {
            return Set.of();
        }
        Set<String> tokens = new HashSet<>();
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
