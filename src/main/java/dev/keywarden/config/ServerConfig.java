package dev.keywarden.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The client-facing listener: its limits, how it tells who the client is, its TLS and its HTTP/2.
 *
 * @param maxBodyBytes    largest request body accepted (larger gets 413 without being read)
 * @param maxHeaderBytes  largest request header block (larger gets 431)
 * @param idleTimeout     a client that sends or reads nothing for this long is cut off
 * @param trustedProxies  peers whose forwarding header names the client ({@code server.trusted_proxies})
 * @param forwardedHeader the header those proxies set ({@code server.forwarded_header})
 * @param headerTimeout   a request's header block must arrive within this long of its first byte, else the
 *                        connection is cut ({@code server.header_timeout})
 * @param minBodyRate     a request body must arrive at least this fast, in bytes per second, once it has been
 *                        arriving for {@link #BODY_RATE_GRACE}; 0 means no minimum ({@code server.min_body_rate})
 * @param tls             TLS with HTTP/2 by ALPN ({@code server.tls.*}); empty: plain HTTP
 * @param h2c             HTTP/2 without TLS (prior knowledge or {@code Upgrade: h2c}) on a plain listener
 */
public record ServerConfig(long maxBodyBytes, int maxHeaderBytes, Duration idleTimeout, TrustedProxies trustedProxies,
                           ForwardedHeader forwardedHeader, Duration headerTimeout, long minBodyRate, Optional<TlsConfig> tls,
                           boolean h2c) {

    /** Defaults of the slow-client settings. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_MIN_BODY_RATE = 1024;
    /** How long a body may arrive before its rate is judged (a slow start, TCP slow start, a 100-continue). */
    public static final Duration BODY_RATE_GRACE = Duration.ofSeconds(5);

    /** Which request header a trusted proxy names the client in. */
    public enum ForwardedHeader {
        /** {@code X-Forwarded-For: client, proxy1, proxy2} (nginx, HAProxy, cloud load balancers). */
        X_FORWARDED_FOR("x-forwarded-for"),
        /** RFC 7239 {@code Forwarded: for=client;proto=https, for=proxy1}. */
        FORWARDED("forwarded");

        private final String setting;

        ForwardedHeader(String setting) {
            this.setting = setting;
        }

        /** The value as written in the configuration (and the header's name). */
        public String setting() {
            return setting;
        }
    }

    public ServerConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(trustedProxies, "trustedProxies");
        Objects.requireNonNull(forwardedHeader, "forwardedHeader");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(tls, "tls");
        if (headerTimeout.isNegative() || headerTimeout.isZero() || minBodyRate < 0) {
            throw new IllegalArgumentException("headerTimeout must be positive and minBodyRate not negative");
        }
    }

    /** A plain HTTP/1.1 listener with these limits that trusts no proxy (the client address is the TCP peer's), slow clients cut by default. */
    public ServerConfig(long maxBodyBytes, int maxHeaderBytes, Duration idleTimeout) {
        this(maxBodyBytes, maxHeaderBytes, idleTimeout, TrustedProxies.NONE, ForwardedHeader.X_FORWARDED_FOR,
                DEFAULT_HEADER_TIMEOUT, DEFAULT_MIN_BODY_RATE, Optional.empty(), false);
    }
}
