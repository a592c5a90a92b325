package dev.keywarden.gateway;

import dev.keywarden.pipeline.Route;
import dev.keywarden.pipeline.Readiness;
import dev.keywarden.pipeline.Preflight;
import dev.keywarden.pipeline.LocalEndpoint;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.CredentialGuard;
import dev.keywarden.pipeline.Admission;
import dev.keywarden.pipeline.AddressGuard;
import dev.keywarden.pipeline.Authenticator;
import dev.keywarden.config.HostPort;
import dev.keywarden.config.ServerConfig;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.vault.ProviderKeys;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.VirtualThreads;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The client-facing HTTP listener with the gateway pipeline behind it. Request handling runs on
 * virtual threads; upstream I/O is asynchronous. {@link #close()} stops accepting, lets
 * in-flight requests finish for a short grace period, then stops the upstream client.
 */
public final class GatewayServer implements AutoCloseable {

    private final Server server;
    private final HttpClient upstream;
    private final ServerConnector connector;

    private GatewayServer(Server server, ServerConnector connector, HttpClient upstream) {
        this.server = server;
        this.connector = connector;
        this.upstream = upstream;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound port (useful when the configured port was 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port} of this listener. */
    public URI baseUri() {
        String host = connector.getHost() == null ? "127.0.0.1" : connector.getHost();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
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
        try {
            upstream.stop();
        } catch (Exception ignored) {
            // best effort on shutdown
        }
    }

    /** Assembles a {@link GatewayServer}; every collaborator is required unless noted. */
    public static final class Builder {
        private HostPort listen;
        private ServerConfig serverConfig;
        private UpstreamConfig upstreamConfig;
        private Authenticator authenticator;
        private ProviderKeys providerKeys;
        private final List<ExchangeObserver> observers = new ArrayList<>();
        private final List<Preflight> preflights = new ArrayList<>();
        private final List<Readiness> readiness = new ArrayList<>();
        private final List<Admission> admissions = new ArrayList<>();
        private AddressGuard addressGuard = AddressGuard.NONE;

        private CredentialGuard credentialGuard = CredentialGuard.NONE;
        private final java.util.Map<Route, LocalEndpoint> endpoints = new java.util.EnumMap<>(Route.class);

        /** Optional: scopes and use counts of limited credentials such as short-lived tokens (default: none). */
        public Builder credentialGuard(CredentialGuard guard) {
            this.credentialGuard = Objects.requireNonNull(guard);
            return this;
        }

        /** Optional: serves {@code route} (one the gateway answers itself, e.g. {@link Route#TOKENS_CREATE}); 404 otherwise. */
        public Builder endpoint(Route route, LocalEndpoint endpoint) {
            if (route.proxied() || route.health()) {
                throw new IllegalArgumentException(route.id() + " is not a gateway-served route");
            }
            endpoints.put(route, Objects.requireNonNull(endpoint));
            return this;
        }

        private dev.keywarden.guard.RequestGuard requestGuard;
        private dev.keywarden.guard.OutputGuard outputGuard;

        /** Optional: the guardrails on request bodies and on model output (default: none). */
        public Builder guard(dev.keywarden.guard.RequestGuard requestGuard, dev.keywarden.guard.OutputGuard outputGuard) {
            this.requestGuard = requestGuard;
            this.outputGuard = outputGuard;
            return this;
        }

        /** Optional; admissions (rate limits) run in the order added, after the preflights. */
        public Builder admission(Admission admission) {
            admissions.add(Objects.requireNonNull(admission));
            return this;
        }

        /** Optional: brute-force protection per client address (default: none). */
        public Builder addressGuard(AddressGuard guard) {
            this.addressGuard = Objects.requireNonNull(guard);
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

        public Builder upstream(UpstreamConfig config) {
            this.upstreamConfig = config;
            return this;
        }

        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        public Builder providerKeys(ProviderKeys providerKeys) {
            this.providerKeys = providerKeys;
            return this;
        }

        /** Optional; may be called several times. */
        public Builder observer(ExchangeObserver observer) {
            observers.add(Objects.requireNonNull(observer));
            return this;
        }

        /** Optional; checks run in the order added, after authentication, before a call is forwarded. */
        public Builder preflight(Preflight check) {
            preflights.add(Objects.requireNonNull(check));
            return this;
        }

        /** Optional; may be called several times. */
        public Builder readiness(Readiness check) {
            readiness.add(Objects.requireNonNull(check));
            return this;
        }

        /** Starts listening; throws with a message naming the address when the port cannot be bound. */
        public GatewayServer start() {
            Objects.requireNonNull(listen, "listen");
            Objects.requireNonNull(serverConfig, "server");
            Objects.requireNonNull(upstreamConfig, "upstream");
            Objects.requireNonNull(authenticator, "authenticator");
            Objects.requireNonNull(providerKeys, "providerKeys");

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
            ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
            connector.setHost(listen.host());
            connector.setPort(listen.port());
            connector.setIdleTimeout(serverConfig.idleTimeout().toMillis());
            connector.setAcceptQueueSize(4096);
            server.addConnector(connector);
            server.setErrorHandler(new JsonErrorHandler());
            server.setStopTimeout(10_000);

            HttpClient client = UpstreamClient.create(upstreamConfig);
            GracefulHandler graceful = new GracefulHandler();
            graceful.setHandler(new GatewayHandler(authenticator, providerKeys, client, upstreamConfig, serverConfig,
                    observers, readiness, preflights, admissions, addressGuard,
                    credentialGuard, endpoints, requestGuard, outputGuard));
            server.setHandler(graceful);
            try {
                server.start();
            } catch (Exception e) {
                try {
                    client.stop();
                    server.stop();
                } catch (Exception ignored) {
                    // already failing
                }
                throw new IllegalStateException("cannot listen on " + listen + ": " + e.getMessage(), e);
            }
            return new GatewayServer(server, connector, client);
        }
    }
}
