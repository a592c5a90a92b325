package dev.keywarden.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The client-facing listener: its limits, its TLS and its HTTP/2.
 *
 * @param maxBodyBytes   largest request body accepted (larger gets 413 without being read)
 * @param maxHeaderBytes largest request header block (larger gets 431)
 * @param idleTimeout    a client that sends or reads nothing for this long is cut off
 * @param tls            TLS with HTTP/2 by ALPN ({@code server.tls.*}); empty: plain HTTP
 * @param h2c            HTTP/2 without TLS (prior knowledge or {@code Upgrade: h2c}) on a plain listener
 */
public record ServerConfig(long maxBodyBytes, int maxHeaderBytes, Duration idleTimeout, Optional<TlsConfig> tls, boolean h2c) {

    public ServerConfig {
        Objects.requireNonNull(tls, "tls");
    }

    /** A plain HTTP/1.1 listener with these limits. */
    public ServerConfig(long maxBodyBytes, int maxHeaderBytes, Duration idleTimeout) {
        this(maxBodyBytes, maxHeaderBytes, idleTimeout, Optional.empty(), false);
    }
}
