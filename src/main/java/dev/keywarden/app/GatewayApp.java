package dev.keywarden.app;

import dev.keywarden.pipeline.PipelineComposition;
import dev.keywarden.admin.AdminServer;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.byok.ByokService;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.auth.token.KeysAndTokens;
import dev.keywarden.auth.token.TokenEndpoint;
import dev.keywarden.auth.token.TokenGuard;
import dev.keywarden.auth.token.TokenService;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.LimitsConfig;
import dev.keywarden.gateway.GatewayServer;
import dev.keywarden.web.CorsHandler;
import dev.keywarden.web.CorsPolicy;
import dev.keywarden.web.SecurityHeaders;
import dev.keywarden.gateway.UpstreamForwarding;
import dev.keywarden.limits.budget.BudgetConfig;
import dev.keywarden.metrics.Metrics;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.Pipeline;
import dev.keywarden.pipeline.Readiness;
import dev.keywarden.pipeline.Route;
import dev.keywarden.pricing.PricingTable;
import dev.keywarden.state.RedisState;
import dev.keywarden.store.Database;
import dev.keywarden.users.UsersModule;
import dev.keywarden.vault.KeyVault;
import dev.keywarden.vault.ProviderKeys;
import dev.keywarden.web.ChatHandler;
import dev.keywarden.web.PageTokenHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The composition root of {@code keywarden serve}: opens the store (SQLite or PostgreSQL) and, with
 * {@code state: redis}, the shared state connection, builds the services every stage needs (the
 * wiring classes of this package, one per concern), composes the pipeline ({@link PipelineComposition},
 * where the stage order lives) and starts the proxy listener (with the web entry point mounted
 * beside it) and the admin listener. {@link #close()} stops
 * everything in reverse order and flushes pending writes.
 */
public final class GatewayApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayApp.class);

    private final List<AutoCloseable> resources;
    private final GatewayServer server;
    private final Pipeline pipeline;
    private final ProviderKeysWiring providerKeys;
    private final VirtualKeyService keys;
    private final Optional<AdminServer> admin;
    private final TokenService tokens;
    private final UsersModule users;
    private final ByokService byok;

    private GatewayApp(List<AutoCloseable> resources, GatewayServer server, Pipeline pipeline, ProviderKeysWiring providerKeys,
                       VirtualKeyService keys, Optional<AdminServer> admin, TokenService tokens, UsersModule users,
                       ByokService byok) {
        this.resources = resources;
        this.server = server;
        this.pipeline = pipeline;
        this.providerKeys = providerKeys;
        this.keys = keys;
        this.admin = admin;
        this.tokens = tokens;
        this.users = users;
        this.byok = byok;
    }

    /** Starts a gateway for {@code config}; extra observers (tests) see every call after the standard ones. */
    public static GatewayApp start(KeywardenConfig config, List<ExchangeObserver> extraObservers) {
        List<AutoCloseable> resources = new ArrayList<>();
        BudgetConfig budgets = BudgetConfig.of(config.budgets());
        try {
            logNotices(config);
            Database db = Database.open(config);
            resources.add(db);
            LOG.info("store: {}", db.location());
            Optional<RedisState> redis = connectRedis(config, resources);
            ServerSecret secret = serverSecret(config);
            AuditWiring audit = AuditWiring.start(config, db, secret, resources);
            LimitsConfig limits = config.limits();
            PrincipalService principals = new PrincipalService(db, limits.defaultTier(), limits::knows);
            VirtualKeyService keys = VirtualKeyService.open(db, secret, principals);
            resources.add(keys);
            audit.startAnomalyDetection(config, db, keys, resources);
            SecurityEvents events = audit.events();
            ProviderKeysWiring upstream = ProviderKeysWiring.open(config, db, events, keys, resources);
            UpstreamForwarding forwarding = UpstreamForwarding.start(config.server(), upstream.upstream(), upstream.keys());
            resources.add(forwarding);
            Metrics metrics = new Metrics().auditQueue(audit.trail()::queueDepth);
            audit.trail().observeWrites(metrics::recordAuditWrite);
            upstream.vault().ifPresent(v -> metrics.keysOverdue(() -> v.isSealed() ? 0 : v.overdue().size())
                    .vault(v::isSealed, () -> v.health().usable()));
            metrics.stateUp(config.shared().postgres() ? "postgres" : "sqlite", db::isHealthy);
            redis.ifPresent(r -> metrics.stateUp("redis", r::isHealthy));
            TokenService tokens = new TokenService(db, secret, principals, config.tokens(), events, Clock.systemUTC());
            ByokWiring byok = ByokWiring.open(config, db, upstream, redis, events);
            UsersWiring users = UsersWiring.open(config, db, secret, redis, principals, events, byok.service());
            URI upstreamUrl = upstream.upstream().url();

            PipelineComposition.Parts parts = new PipelineComposition.Parts(config.server().maxBodyBytes())
                    .authenticator(users.authenticator(new KeysAndTokens(keys, tokens)))
                    .credentials(new TokenGuard(tokens))
                    .audit(audit.observer(), audit.observer())
                    .metrics(metrics.streamTracker(), metrics.exchangeObserver())
                    .anomalies(audit.anomalyObserver())
                    .endpoint(Route.TOKENS_CREATE, new TokenEndpoint(tokens))
                    .upstream(forwarding)
                    .callerKeys(byok.callerKeys())
                    .pricing(PricingTable.of(config.pricing()))
                    .readiness(readiness("store", db::isHealthy))
                    .readiness(readiness("upstream", () -> reachable(upstreamUrl)))
                    .readiness(providerKeysReadiness(upstream.keys()));
            redis.ifPresent(r -> parts.readiness(readiness("redis", r::isHealthy)));
            upstream.vault().ifPresent(v -> parts.readiness(new dev.keywarden.vault.VaultReadiness(v)));
            GuardWiring.addTo(parts, config);
            LimitsWiring.addTo(parts, config, principals, redis, events);
            LimitsWiring.addBudgets(parts, budgets, db, principals, redis, events, resources);
            extraObservers.forEach(parts::observer);
            Pipeline pipeline = PipelineComposition.compose(parts);

            GatewayServer server = GatewayServer.builder().listen(config.listen()).server(config.server()).pipeline(pipeline)
                    .mount(UsersWiring.WEB_PREFIX, users.web())
                    .mount(dev.keywarden.web.StaticAssets::serves, new dev.keywarden.web.StaticAssets())
                    .mount(ChatHandler::serves, new ChatHandler(pipeline, users.gate(), config.apps(), config.guard().tierModels(),
                            byok.service()))
                    .mount(PageTokenHandler::serves, new PageTokenHandler(users.gate(), tokens))
                    .around(SecurityHeaders::new)
                    .around(next -> new CorsHandler(new CorsPolicy(config.cors()), next))
                    .aroundErrors(SecurityHeaders::new)
                    .start();
            resources.add(server);
            Optional<AdminServer> admin = AdminWiring.start(config, db, secret, keys, tokens, users.users(), upstream.vault(), events,
                    metrics, resources);
            events.record(SecurityEvent.of("gateway.started", server.baseUri().toString(), startupSummary(config, upstream.keys())));
            LOG.info("keywarden listening on {}, {} -> upstream {} ({}); environment {}", server.baseUri(), server.protocols(),
                    config.demoMode() ? "bundled fake (demo)" : upstreamUrl, upstream.keys().describe(),
                    config.environment().name().toLowerCase(Locale.ROOT));
            LOG.info("cross-origin access: {}", config.cors().enabled() ? String.join(", ", config.cors().allowedOrigins())
                    + (config.cors().allowCredentials() ? " (with credentials)" : " (without credentials)") : "none (same origin only)");
            return new GatewayApp(resources, server, pipeline, upstream, keys, admin, tokens, users.users(), byok.service());
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private static void logNotices(KeywardenConfig config) {
        config.notices().forEach(n -> {
            if (n.startsWith("WARN ")) {
                LOG.warn(n.substring(5));
            } else {
                LOG.info(n.replaceFirst("^INFO ", ""));
            }
        });
    }

    private static Optional<RedisState> connectRedis(KeywardenConfig config, List<AutoCloseable> resources) {
        if (!config.shared().redis()) {
            return Optional.empty();
        }
        RedisState opened = RedisState.connect(config.shared());
        resources.add(opened);
        LOG.info("shared state: {}", opened.url());
        return Optional.of(opened);
    }

    /** What the gateway started with, for the audit trail: settings that matter for security, never a secret. */
    private static Map<String, String> startupSummary(KeywardenConfig config, ProviderKeys keys) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("environment", config.environment().name().toLowerCase(Locale.ROOT));
        m.put("listen", config.listen().toString());
        m.put("admin_listen", config.admin().listen().map(Object::toString).orElse("off"));
        m.put("upstream", config.demoMode() ? "bundled fake (demo)" : config.upstream().url().toString());
        m.put("vault_kek", config.vault().kek());
        m.put("provider_keys", keys.describe());
        m.put("audit_mode", config.audit().strict() ? "strict" : "buffered");
        m.put("max_body_bytes", String.valueOf(config.server().maxBodyBytes()));
        m.put("tls", config.server().tls().isPresent() ? "on" : "off");
        m.put("h2c", config.server().h2c() ? "on" : "off");
        m.put("admin_tls", config.admin().tls().isPresent() ? "on" : "off");
        m.put("cors_allowed_origins", config.cors().enabled() ? String.join(",", config.cors().allowedOrigins()) : "none");
        m.put("cors_allow_credentials", String.valueOf(config.cors().allowCredentials()));
        return m;
    }

    private static ServerSecret serverSecret(KeywardenConfig config) {
        try {
            return ServerSecret.resolve(config.serverSecret().map(s -> s.reveal()).orElse(null), config.dataDir());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    public URI baseUri() {
        return server.baseUri();
    }

    /** The admin API's address, when it is running. */
    public Optional<URI> adminUri() {
        return admin.map(AdminServer::baseUri);
    }

    public int port() {
        return server.port();
    }

    /** The demo virtual key created at start-up in demo mode. */
    public Optional<String> demoKey() {
        return providerKeys.demoKey();
    }

    /** The provider-key vault, when {@code vault.kek} is not {@code none}. */
    public Optional<KeyVault> vault() {
        return providerKeys.vault();
    }

    /** The pipeline every call on the proxy listener runs through; another entry point runs calls through it too. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** The virtual-key service of this gateway (CLI-equivalent operations for tests and admin). */
    public VirtualKeyService virtualKeys() {
        return keys;
    }

    /** Accounts, sessions and OIDC of this gateway (for tests and admin). */
    public UsersModule users() {
        return users;
    }

    /** Users' own keys (bring your own key): the service behind {@code /api/byok} and the pipeline's key resolver. */
    public ByokService byok() {
        return byok;
    }

    /** The short-lived token service of this gateway (mint, revoke, list; for tests and admin). */
    public TokenService tokens() {
        return tokens;
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("shutdown: {} failed to close: {}", resources.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        resources.clear();
    }

    private static Readiness readiness(String name, BooleanSupplier check) {
        return new Readiness() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean ready() {
                return check.getAsBoolean();
            }
        };
    }

    /** Not ready while no provider key can serve (sealed vault, every key revoked, compromised or rejected upstream). */
    private static Readiness providerKeysReadiness(ProviderKeys keys) {
        return new Readiness() {
            @Override
            public String name() {
                return "provider_keys";
            }

            @Override
            public boolean ready() {
                return keys.unavailable().isEmpty();
            }

            @Override
            public String reason() {
                return keys.unavailable().orElse("");
            }
        };
    }

    /** Whether a TCP connection to the upstream host can be opened within a second. */
    private static boolean reachable(URI url) {
        int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(url.getHost(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
