package dev.keywarden.gateway;

import dev.keywarden.config.HostPort;
import dev.keywarden.config.ServerConfig;
import dev.keywarden.gateway.tls.Connectors;
import dev.keywarden.gateway.tls.TlsContext;
import dev.keywarden.pipeline.Pipeline;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.VirtualThreads;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The client-facing HTTP listener with a {@link Pipeline} behind it. Request handling runs on
 * virtual threads; upstream I/O is asynchronous ({@link UpstreamForwarding}, closed by its owner
 * after this listener). A request whose header block is larger than {@code server.max_header_bytes}
 * gets 431 in Anthropic's error shape ({@link JsonErrorHandler}); every smaller one can be
 * forwarded, because the upstream client is sized to match ({@link UpstreamForwarding#start}).
 * Behind a reverse proxy listed in {@code server.trusted_proxies}, the client address every handler sees
 * is the one that proxy forwarded ({@link ClientAddressCustomizer}); from any other peer it is the peer's.
 * Slow clients are cut ({@link SlowClientGuard}): a header block that takes longer than
 * {@code server.header_timeout}, a body slower than {@code server.min_body_rate}.
 * Other entry points can be mounted beside the pipeline under a path prefix ({@link Builder#mount}).
 * {@link #close()} stops accepting and lets in-flight requests finish for a short grace period.
 */
public final class GatewayServer implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;
    private final String scheme;
    private final String protocols;
    private final List<AutoCloseable> alsoClosed;

    private GatewayServer(Server server, ServerConnector connector, String scheme, String protocols, List<AutoCloseable> alsoClosed) {
        this.server = server;
        this.connector = connector;
        this.scheme = scheme;
        this.protocols = protocols;
        this.alsoClosed = alsoClosed;
    }

    /** What this listener serves, in words for the start-up line (e.g. HTTPS (TLS 1.3/1.2) with HTTP/2 and HTTP/1.1 by ALPN). */
    public String protocols() {
        return protocols;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound port (useful when the configured port was 0). */
    public int port() {
        return connector.getLocalPort();
    }

 /** {@code http://host:port} (or {@code https://} with TLS) of this listener. */
    public URI baseUri() {
        String host = connector.getHost() == null ? "127.0.0.1" : connector.getHost();
        return URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // best effort on shutdown
        }
        for (AutoCloseable c : alsoClosed) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort on shutdown
            }
        }
    }

    /** Assembles a {@link GatewayServer}; every setting is required. */
    public static final class Builder {
        private HostPort listen;
        private ServerConfig serverConfig;
        private Pipeline pipeline;
        private final List<AutoCloseable> alsoClosed = new ArrayList<>();
        private final List<Map.Entry<java.util.function.Predicate<String>, Handler>> mounts = new ArrayList<>();
        private final List<UnaryOperator<Handler>> around = new ArrayList<>();
        private final List<UnaryOperator<Handler>> aroundErrors = new ArrayList<>();

        /**
         * Optional: requests whose path starts with {@code prefix} (e.g. {@code /api/}) go to {@code handler} instead of
         * the gateway pipeline (the web entry for browsers).
         */
        public Builder mount(String prefix, Handler handler) {
            Objects.requireNonNull(prefix);
            return mount(path -> path.startsWith(prefix), handler);
        }

        /** Optional: requests whose raw path {@code paths} accepts (e.g. the web UI's files) go to {@code handler}. */
        public Builder mount(java.util.function.Predicate<String> paths, Handler handler) {
            mounts.add(Map.entry(Objects.requireNonNull(paths), Objects.requireNonNull(handler)));
            return this;
        }

        /**
         * Optional: wraps every request on the listener (the pipeline and every mount), e.g. CORS or browser security
         * headers; the first one given is the outermost.
         */
        public Builder around(UnaryOperator<Handler> wrapper) {
            around.add(Objects.requireNonNull(wrapper));
            return this;
        }

        /**
         * Optional: wraps the listener's own error answers (a request refused before any handler: 400, 431…; a handler
         * that failed), e.g. with browser security headers; the first one given is the outermost.
         */
        public Builder aroundErrors(UnaryOperator<Handler> wrapper) {
            aroundErrors.add(Objects.requireNonNull(wrapper));
            return this;
        }

        public Builder listen(HostPort listen) {
            this.listen = listen;
            return this;
        }

        public Builder server(ServerConfig config) {
            this.serverConfig = config;
            return this;
        }

        /** The stages every call on this listener runs through ({@code pipeline/PipelineComposition}). */
        public Builder pipeline(Pipeline pipeline) {
            this.pipeline = pipeline;
            return this;
        }

        /** Optional: closed after the listener stops (e.g. the {@link UpstreamForwarding} the pipeline forwards with). */
        public Builder alsoClose(AutoCloseable resource) {
            alsoClosed.add(Objects.requireNonNull(resource));
            return this;
        }

        private Request.Handler errorHandler(JsonErrorHandler json) {
            if (aroundErrors.isEmpty()) {
                return json;
            }
            Handler h = new Handler.Abstract(Invocable.InvocationType.BLOCKING) {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    return json.handle(request, response, callback);
                }
            };
            for (int i = aroundErrors.size() - 1; i >= 0; i--) {
                h = aroundErrors.get(i).apply(h);
            }
            return h;
        }

        /** Starts listening; throws with a message naming the address when the port cannot be bound. */
        public GatewayServer start() {
            Objects.requireNonNull(listen, "listen");
            Objects.requireNonNull(serverConfig, "server");
            Objects.requireNonNull(pipeline, "pipeline");

            QueuedThreadPool threads = new QueuedThreadPool(200, 8);
            threads.setName("kw-server");
            threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("kw-request"));
            Server server = new Server(threads);
            HttpConfiguration http = new HttpConfiguration();
            http.setRequestHeaderSize(serverConfig.maxHeaderBytes());
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            http.setSendDateHeader(true);
            http.setIdleTimeout(serverConfig.idleTimeout().toMillis());
            if (!serverConfig.trustedProxies().isEmpty()) {
                http.addCustomizer(new ClientAddressCustomizer(
                        new ClientAddressResolver(serverConfig.trustedProxies(), serverConfig.forwardedHeader())));
            }
            Connectors.Opened opened = Connectors.open(server, http, serverConfig.tls(), serverConfig.h2c());
            opened.tls().ifPresent(alsoClosed::add);
            ServerConnector connector = opened.connector();
            connector.setHost(listen.host());
            connector.setPort(listen.port());
            connector.setIdleTimeout(serverConfig.idleTimeout().toMillis());
            connector.setAcceptQueueSize(4096);
            server.addConnector(connector);
            server.setErrorHandler(errorHandler(new JsonErrorHandler(serverConfig.maxHeaderBytes())));
            server.setStopTimeout(10_000);

            GracefulHandler graceful = new GracefulHandler();
            Handler main = new GatewayHandler(pipeline);
            for (Map.Entry<java.util.function.Predicate<String>, Handler> m : mounts) {
                main = new PrefixRoutingHandler(main, m.getKey(), m.getValue());
            }
            for (int i = around.size() - 1; i >= 0; i--) {
                main = around.get(i).apply(main);
            }
            graceful.setHandler(main);
            server.setHandler(graceful);
            try {
                server.start();
            } catch (Exception e) {
                try {
                    server.stop();
                } catch (Exception ignored) {
                    // already failing
                }
                opened.tls().ifPresent(TlsContext::close);
                throw new IllegalStateException("cannot listen on " + listen + ": " + e.getMessage(), e);
            }
            List<AutoCloseable> closed = new ArrayList<>();
            closed.add(SlowClientGuard.start(connector, serverConfig.headerTimeout(), serverConfig.minBodyRate(),
                    ServerConfig.BODY_RATE_GRACE));
            closed.addAll(alsoClosed);
            return new GatewayServer(server, connector, opened.scheme(), opened.protocols(), List.copyOf(closed));
        }
    }
}
