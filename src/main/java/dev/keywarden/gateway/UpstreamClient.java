package dev.keywarden.gateway;

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

    static HttpClient create(UpstreamConfig config) {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setConnectTimeout(config.connectTimeout());
        connector.setIdleTimeout(config.idleTimeout());
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("kw-upstream");
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(config.maxConnections());
        client.setMaxRequestsQueuedPerDestination(Math.max(1024, config.maxConnections() * 32));
        client.setConnectTimeout(config.connectTimeout().toMillis());
        client.setIdleTimeout(config.idleTimeout().toMillis());
        client.setFollowRedirects(false);
        client.setUserAgentField(null);
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.getContentDecoderFactories().clear();
        try {
            client.start();
            // Relay every status as it is: no automatic 401/407 challenge handling, redirects or
            // 100-continue. HttpClient installs these handlers in doStart(), so clear them after it.
            client.getProtocolHandlers().clear();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the upstream HTTP client: " + e.getMessage(), e);
        }
        return client;
    }
}
