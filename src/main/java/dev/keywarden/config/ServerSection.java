package dev.keywarden.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code server.*}: limits, TLS and HTTP/2 of the client-facing listener. */
final class ServerSection {

    static final Setting MAX_BODY = Setting.of("server.max_body_bytes", "KEYWARDEN_MAX_BODY_BYTES", "32MB",
            "largest request body accepted (larger gets 413 without being read); at least 1KB");
    static final Setting MAX_HEADER = Setting.of("server.max_header_bytes", "KEYWARDEN_MAX_HEADER_BYTES", "16KB",
            "largest request header block (larger gets 431); 1KB to 1MB");
    static final Setting IDLE_TIMEOUT = Setting.of("server.idle_timeout", "KEYWARDEN_IDLE_TIMEOUT", "30s",
            "a client that sends or reads nothing for this long is cut off");
    static final Setting TRUSTED_PROXIES = Setting.of("server.trusted_proxies", "KEYWARDEN_TRUSTED_PROXIES", null,
            "IP addresses or CIDR ranges (a YAML list or comma-separated, e.g. 10.0.0.0/8, 2001:db8::/32) of the reverse"
                    + " proxies in front of the gateway: only from these peers is the forwarding header read, and the"
                    + " right-most address in it that is not a trusted proxy is the client's (for the address lockout,"
                    + " audit, anomaly alerts); from any other peer the header is ignored")
            .asList().shown("none: the TCP peer is the client");
    static final Setting FORWARDED_HEADER = Setting.of("server.forwarded_header", "KEYWARDEN_FORWARDED_HEADER",
            "x-forwarded-for", "the header the trusted proxies name the client in: x-forwarded-for or forwarded (RFC 7239);"
                    + " the other one is never read, since a proxy passes a header it does not set through unchanged");
    static final Setting HEADER_TIMEOUT = Setting.of("server.header_timeout", "KEYWARDEN_HEADER_TIMEOUT", "10s",
            "a request's header block must arrive within this long of its first byte, else the connection is cut"
                    + " (slow-header \"slowloris\" clients, which the idle timeout never catches)");
    static final Setting MIN_BODY_RATE = Setting.of("server.min_body_rate", "KEYWARDEN_MIN_BODY_RATE", "1KB",
            "a request body must arrive at least this many bytes per second (measured from its start, judged after"
                    + " its first 5 seconds), else the connection is cut; 0 for no minimum");
    static final Setting TLS_CERT = Setting.of("server.tls.cert", "KEYWARDEN_TLS_CERT", null,
            "PEM file with the server certificate and its chain: the listener serves HTTPS (TLS 1.2+, HTTP/2 by ALPN);"
                    + " needs server.tls.key").shown("none: plain HTTP");
    static final Setting TLS_KEY = Setting.of("server.tls.key", "KEYWARDEN_TLS_KEY", null,
            "PEM file with the certificate's unencrypted private key (PKCS#8, RSA or EC); keep it owner-readable only")
            .shown("none");
    static final Setting TLS_RELOAD = Setting.of("server.tls.reload_interval", "KEYWARDEN_TLS_RELOAD_INTERVAL", "1m",
            "how often the certificate and key files (server.tls.*, admin.tls.*) are checked; a change is served"
                    + " without a restart; 1s to 1d");
    static final Setting H2C = Setting.of("server.h2c", "KEYWARDEN_H2C", "off",
            "on: also serve HTTP/2 without TLS (prior knowledge or Upgrade: h2c) on a plain listener; for a trusted"
                    + " proxy in front");
    static final List<Setting> SETTINGS = List.of(MAX_BODY, MAX_HEADER, IDLE_TIMEOUT, TRUSTED_PROXIES, FORWARDED_HEADER,
            HEADER_TIMEOUT, MIN_BODY_RATE, TLS_CERT, TLS_KEY, TLS_RELOAD, H2C);

    private ServerSection() {
    }

    static ServerConfig parse(Values values) {
        return parse(values, Path.of(""));
    }

    static ServerConfig parse(Values values, Path workingDir) {
        long maxBody = values.read(MAX_BODY, raw -> atLeast1KB(Values.bytes(raw)));
        long maxHeader = values.read(MAX_HEADER, raw -> atLeast1KB(Values.bytes(raw)));
        if (maxHeader > 1024 * 1024) {
            throw Values.error(MAX_HEADER, "must be at most 1MB");
        }
        TrustedProxies proxies = values.optional(TRUSTED_PROXIES, TrustedProxies::parse).orElse(TrustedProxies.NONE);
        String header = values.read(FORWARDED_HEADER, raw -> Values.oneOf(raw, List.of("x-forwarded-for", "forwarded"),
                "must be x-forwarded-for or forwarded: the header your proxies set"));
        boolean h2c = values.read(H2C, Values::onOff);
        var tls = TlsConfig.parse(values, TLS_CERT, TLS_KEY, reloadInterval(values), workingDir);
        if (h2c && tls.isPresent()) {
            throw Values.error(H2C, "is for a plain listener; with server.tls.* HTTP/2 is negotiated by ALPN already:"
                    + " set it to off");
        }
        return new ServerConfig(maxBody, (int) maxHeader, values.read(IDLE_TIMEOUT, Values::positiveDuration), proxies,
                header.equals("forwarded") ? ServerConfig.ForwardedHeader.FORWARDED : ServerConfig.ForwardedHeader.X_FORWARDED_FOR,
                values.read(HEADER_TIMEOUT, Values::positiveDuration), values.read(MIN_BODY_RATE, Values::bytes), tls, h2c);
    }

    static Duration reloadInterval(Values values) {
        return values.read(TLS_RELOAD, raw -> {
            Duration d = Values.duration(raw);
            if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("must be from 1s to 1d");
            }
            return d;
        });
    }

    private static long atLeast1KB(long value) {
        if (value < 1024) {
            throw new IllegalArgumentException("must be at least 1KB");
        }
        return value;
    }
}
