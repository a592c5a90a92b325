package dev.keywarden.gateway.tls;

import dev.keywarden.config.TlsConfig;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

import java.util.Optional;

/**
 * The connector of a listener, by its TLS setting: with TLS, HTTPS where ALPN picks HTTP/2 ({@code h2}) or
 * HTTP/1.1 ({@code http/1.1}, also for clients without ALPN); without it, plain HTTP/1.1, plus HTTP/2 without TLS
 * ({@code h2c}: prior knowledge or {@code Upgrade: h2c}) only when asked. Both HTTP versions share one
 * {@link HttpConfiguration}, so header limits and timeouts are the same whatever a client speaks.
 */
public final class Connectors {

    private Connectors() {
    }

    /** A connector (not yet bound), its URL scheme, what it serves in words, and its TLS context (closed by the owner). */
    public record Opened(ServerConnector connector, String scheme, String protocols, Optional<TlsContext> tls) {
    }

    /** Builds the connector for {@code server}; with {@code tls}, its files are read now (one-line error if unusable). */
    public static Opened open(Server server, HttpConfiguration http, Optional<TlsConfig> tls, boolean h2c) {
        if (tls.isEmpty()) {
            HttpConnectionFactory h1 = new HttpConnectionFactory(http);
            if (!h2c) {
                return new Opened(new ServerConnector(server, 1, 1, h1), "http", "HTTP/1.1 (no TLS)", Optional.empty());
            }
            HTTP2CServerConnectionFactory h2 = new HTTP2CServerConnectionFactory(http);
            return new Opened(new ServerConnector(server, 1, 1, h1, h2), "http", "HTTP/1.1 and h2c (HTTP/2 without TLS)",
                    Optional.empty());
        }
        TlsContext context = TlsContext.open(tls.get());
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // clients that call by IP address send no SNI; a certificate for the name still serves them
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        HttpConnectionFactory h1 = new HttpConnectionFactory(https);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol(h1.getProtocol());
        SslConnectionFactory ssl = new SslConnectionFactory(context.factory(), alpn.getProtocol());
        ConnectionFactory[] factories = {ssl, alpn, h2, h1};
        return new Opened(new ServerConnector(server, 1, 1, factories), "https",
                "HTTPS (TLS 1.3/1.2) with HTTP/2 and HTTP/1.1 by ALPN", Optional.of(context));
    }
}
