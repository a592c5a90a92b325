package dev.keywarden.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the client-facing listener, and how it tells who the client is.
 *
 * @param maxBodyBytes    largest request body accepted (larger gets 413 without being read)
 * @param maxHeaderBytes  largest request header block (larger gets 431)
 * @param idleTimeout     a client that sends or reads nothing for this long is cut off
 * @param trustedProxies  peers whose forwarding header names the client ({@code server.trusted_proxies})
 * @param forwardedHeader the header those proxies set ({@code server.forwarded_header})
 */
public record ServerConfig(long maxBodyBytes, int maxHeaderBytes, Duration idleTimeout, TrustedProxies trustedProxies,
                           ForwardedHeader forwardedHeader) {

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
    }

    /** Listener limits that trust no proxy: the client address is the TCP peer's. */
    public ServerConfig(long maxBodyBytes, int maxHeaderBytes, Duration idleTimeout) {
        this(maxBodyBytes, maxHeaderBytes, idleTimeout, TrustedProxies.NONE, ForwardedHeader.X_FORWARDED_FOR);
    }

    /** These limits, trusting {@code proxies}' {@code header}. */
    public ServerConfig withTrustedProxies(TrustedProxies proxies, ForwardedHeader header) {
        return new ServerConfig(maxBodyBytes, maxHeaderBytes, idleTimeout, proxies, header);
    }
}
