package dev.keywarden.gateway;

import dev.keywarden.config.ServerConfig;
import dev.keywarden.config.UpstreamConfig;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Builds the Jetty {@link HttpClient} that talks to the provider: a bounded connection pool,
 * connect and idle timeouts from configuration, no redirects, no cookie jar (a provider cookie
 * must never travel from one user's call to another's), no automatic decompression and no
 * client {@code User-Agent} of its own (the caller's passes through).
 */
final class UpstreamClient {

    private UpstreamClient() {
    }

    /**
     * Room the upstream client needs for a request's line and headers: the listener's limit (the
     * forwarded headers are a subset of the client's), plus the headers the gateway adds (the provider
     * key, {@code anthropic-version}, {@code accept-encoding}, {@code host}, framing) and the upstream
     * URL's own path in the request line.
     */
    static int requestHeaderCapacity(ServerConfig server, UpstreamConfig upstream) {
        return server.maxHeaderBytes() + GATEWAY_HEADER_ROOM + upstream.url().toString().length();
    }

    /** More than the headers the gateway adds to a forwarded request ever take. */
    static final int GATEWAY_HEADER_ROOM = 4096;

    static HttpClient create(UpstreamConfig config, int maxRequestHeaderBytes) {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setConnectTimeout(config.connectTimeout());
        connector.setIdleTimeout(config.idleTimeout());
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("kw-upstream");
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(config.maxConnections());
        // UpstreamSlots admits at most maxConnections calls, so a request waits here only while a connection is
        // being opened or handed back, never behind the cap
        client.setMaxRequestsQueuedPerDestination(Math.max(1024, config.maxConnections() * 2));
        client.setConnectTimeout(config.connectTimeout().toMillis());
        client.setIdleTimeout(config.idleTimeout().toMillis());
        client.setMaxRequestHeadersSize(maxRequestHeaderBytes);
        client.setFollowRedirects(false);
        client.setUserAgentField(null);
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        try {
            client.start();
            // Relay every status as it is: no automatic 401/407 challenge handling, redirects or
            // 100-continue. HttpClient installs these handlers in doStart(), so clear them after it.
            client.getProtocolHandlers().clear();
            // Likewise the gzip decoder Jetty 12.1 installs in doStart() when none is configured: it would
            // add "Accept-Encoding: gzip" beside the gateway's "identity" and decode bodies it relays
            client.getContentDecoderFactories().clear();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the upstream HTTP client: " + e.getMessage(), e);
        }
        return client;
    }
}
