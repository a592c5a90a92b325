package dev.keywarden.gateway;

import com.google.common.net.InetAddresses;
import dev.keywarden.config.ServerConfig.ForwardedHeader;
import dev.keywarden.config.TrustedProxies;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides a request's client address from its TCP peer and, only when that peer is a trusted proxy, the
 * forwarding header the proxies set ({@code X-Forwarded-For} or RFC 7239 {@code Forwarded}, never both).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>From a peer that is not a trusted proxy, the header is ignored: the peer is the client.</li>
 *   <li>The hops are read right to left (the nearest proxy's entry first); trusted proxies are skipped and
 *       the first address that is not a trusted proxy is the client. So a client that writes its own
 *       header can only add hops to the left of the one its first proxy appended, which are never read.</li>
 *   <li>A hop that is not an IP literal ({@code unknown}, an obfuscated {@code _name}, garbage) stops the
 *       walk: the client is then the nearest trusted proxy that reported it, never a guess. Parsing never
 *       asks DNS.</li>
 * </ul>
 */
final class ClientAddressResolver {

    /** More hops than this in one request are not read (the nearest ones are). */
    static final int MAX_HOPS = 32;

    private final TrustedProxies trusted;
    private final ForwardedHeader header;

    ClientAddressResolver(TrustedProxies trusted, ForwardedHeader header) {
        this.trusted = trusted;
        this.header = header;
    }

    /** The client address of a request from {@code peer} with {@code headers}. */
    InetAddress resolve(InetAddress peer, HttpFields headers) {
        if (peer == null || trusted.isEmpty() || !trusted.trusts(peer)) {
            return peer;
        }
        List<String> hops = header == ForwardedHeader.FORWARDED
                ? forwardedHops(headers.getValuesList(HttpHeader.FORWARDED))
                : xForwardedForHops(headers.getValuesList(HttpHeader.X_FORWARDED_FOR));
        InetAddress client = peer;
        for (int i = hops.size() - 1, read = 0; i >= 0 && read < MAX_HOPS; i--, read++) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                return client;
            }
            client = hop;
            if (!trusted.trusts(hop)) {
                return hop;
            }
        }
        return client;
    }

    /** The hops of {@code X-Forwarded-For} lines, in order (several lines read as one list). */
    static List<String> xForwardedForHops(List<String> lines) {
        List<String> hops = new ArrayList<>();
        for (String line : lines) {
            for (String hop : line.split(",", -1)) {
                hops.add(hop.strip());
            }
        }
        return hops;
    }

    /**
     * The {@code for=} value of each element of RFC 7239 {@code Forwarded} lines, in order, unquoted; an
     * element without one is an empty hop (unknown). A comma or semicolon inside a quoted string does not
     * split it; parameter names are case-insensitive.
     */
    static List<String> forwardedHops(List<String> lines) {
        List<String> hops = new ArrayList<>();
        for (String line : lines) {
            for (String element : splitOutsideQuotes(line, ',')) {
                String forValue = "";
                for (String pair : splitOutsideQuotes(element, ';')) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
                        forValue = unquote(pair.substring(eq + 1).strip());
                    }
                }
                hops.add(forValue);
            }
        }
        return hops;
    }

    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        boolean escaped = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escaped) {
                escaped = false;
            } else if (quoted && c == '\\') {
                escaped = true;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
                continue;
            }
            part.append(c);
        }
        parts.add(part.toString());
        return parts;
    }

    private static String unquote(String v) {
        if (v.length() < 2 || v.charAt(0) != '"' || v.charAt(v.length() - 1) != '"') {
            return v;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < v.length() - 1; i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length() - 1) {
                c = v.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * {@code hop} as an address when it is an IP literal, optionally with a port ({@code 192.0.2.1:8080},
     * {@code [2001:db8::1]:443}, {@code [2001:db8::1]}); null otherwise. Never resolves a name.
     */
    static InetAddress literal(String hop) {
        String h = hop.strip();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0 || (close + 1 < h.length() && !port(h.substring(close + 1)))) {
                return null;
            }
            h = h.substring(1, close);
        } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            int colon = h.indexOf(':');
            if (!port(h.substring(colon))) {
                return null;
            }
            h = h.substring(0, colon);
        }
        if (h.indexOf('%') >= 0 || !InetAddresses.isInetAddress(h)) {
            return null;
        }
        return InetAddresses.forString(h);
    }

    /** {@code :} followed by a port number (0 to 65535). */
    private static boolean port(String s) {
        return s.length() >= 2 && s.length() <= 6 && s.charAt(0) == ':'
                && s.substring(1).chars().allMatch(c -> c >= '0' && c <= '9') && Integer.parseInt(s.substring(1)) <= 65535;
    }
}
