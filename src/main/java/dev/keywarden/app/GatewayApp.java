package dev.keywarden.app;

import dev.keywarden.admin.AdminRoutes;
import dev.keywarden.admin.AdminServer;
import dev.keywarden.admin.AdminTokens;
import dev.keywarden.admin.VirtualKeyAdmin;
import dev.keywarden.audit.AuditEntry;
import dev.keywarden.audit.AuditSink;
import dev.keywarden.audit.anomaly.AnomalyConfig;
import dev.keywarden.audit.anomaly.AnomalyMonitor;
import dev.keywarden.audit.anomaly.HistorySource;
import dev.keywarden.audit.anomaly.KeySuspender;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditTrail;
import dev.keywarden.audit.JsonLinesSink;
import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.AuditObserver;
import dev.keywarden.metrics.Metrics;
import dev.keywarden.pricing.PricingTable;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.token.KeysAndTokens;
import dev.keywarden.auth.token.TokenEndpoint;
import dev.keywarden.auth.token.TokenGuard;
import dev.keywarden.auth.token.TokenService;
import dev.keywarden.pipeline.Route;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.config.LimitsConfig;
import dev.keywarden.limits.AddressLockout;
import dev.keywarden.limits.FailoverRateLimiter;
import dev.keywarden.limits.LocalRateLimiter;
import dev.keywarden.limits.PrincipalGate;
import dev.keywarden.limits.RateLimitGate;
import dev.keywarden.limits.RateLimiter;
import dev.keywarden.limits.RedisRateLimiter;
import dev.keywarden.limits.budget.BudgetConfig;
import dev.keywarden.limits.budget.BudgetGate;
import dev.keywarden.limits.budget.BudgetPolicy;
import dev.keywarden.limits.budget.BudgetStore;
import dev.keywarden.limits.budget.LocalSpendLedger;
import dev.keywarden.limits.budget.RedisSpendLedger;
import dev.keywarden.limits.budget.SpendLedger;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.pipeline.AccessLog;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.gateway.GatewayServer;
import dev.keywarden.pipeline.Readiness;
import dev.keywarden.state.RedisState;
import dev.keywarden.store.Database;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.StaticProviderKeys;
import dev.keywarden.vault.HttpUpstreamKeyVerifier;
import dev.keywarden.vault.KeyVault;
import dev.keywarden.vault.ProviderKeys;
import dev.keywarden.admin.VaultAdmin;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The composition root of {@code keywarden serve}: opens the store (SQLite or PostgreSQL) and, with
 * {@code state: redis}, the shared state connection (checked by {@code /readyz}), builds the
 * credential and provider-key services, starts the bundled fake upstream in demo mode, and starts
 * the gateway listener. {@link #close()} stops everything in reverse order and flushes pending writes.
 */
public final class GatewayApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayApp.class);
    static final String DEMO_KEY_NAME = "demo";

    private final List<AutoCloseable> resources;
    private final GatewayServer server;
    private final Optional<String> demoKey;
    private final VirtualKeyService keys;
    private final Optional<AdminServer> admin;
    private final Optional<KeyVault> vault;
    private final TokenService tokens;

    private GatewayApp(List<AutoCloseable> resources, GatewayServer server, Optional<String> demoKey, VirtualKeyService keys,
                       Optional<AdminServer> admin, Optional<KeyVault> vault, TokenService tokens) {
        this.resources = resources;
        this.server = server;
        this.demoKey = demoKey;
        this.keys = keys;
        this.admin = admin;
        this.vault = vault;
        this.tokens = tokens;
    }

    /**
     * Opens the provider-key vault: imports {@code ANTHROPIC_API_KEY} when set (once; after
     * unseal if the vault starts sealed), and warns about keys overdue for rotation.
     */
    private static KeyVault openVault(KeywardenConfig config, Database db, SecurityEvents events, UpstreamConfig upstream) {
        KeyVault vault = KeyVault.open(config, db, events, new HttpUpstreamKeyVerifier(upstream.url()), System.getenv(), true);
        try {
            upstream.apiKey().ifPresent(k -> vault.importAtStartup(() -> k.reveal().getBytes(StandardCharsets.UTF_8)));
            if (vault.isSealed()) {
                LOG.warn("the key vault is sealed: proxy calls get 503 until an operator runs `keywarden vault unseal`");
            } else {
                Instant now = Instant.now();
                vault.overdue().forEach(s -> LOG.warn("{}", s.overdueWarning(now)));
            }
            return vault;
        } catch (RuntimeException e) {
            vault.close();
            throw e;
        }
    }

    /** The provider-key vault, when {@code vault.kek} is not {@code none}. */
    public Optional<KeyVault> vault() {
        return vault;
    }

    /** Starts a gateway for {@code config}; extra observers (tests, later audit) see every exchange. */
    public static GatewayApp start(KeywardenConfig config, List<ExchangeObserver> extraObservers) {
        List<AutoCloseable> resources = new ArrayList<>();
        BudgetConfig budgets = BudgetConfig.fromSettings(config.budgetSettings());
        try {
            config.notices().forEach(n -> {
                if (n.startsWith("WARN ")) {
                    LOG.warn(n.substring(5));
                } else {
                    LOG.info(n.replaceFirst("^INFO ", ""));
                }
            });
            Database db = Database.open(config);
            resources.add(db);
            LOG.info("store: {}", db.location());
            Optional<RedisState> redis = Optional.empty();
            if (config.shared().redis()) {
                RedisState opened = RedisState.connect(config.shared());
                resources.add(opened);
                redis = Optional.of(opened);
                LOG.info("shared state: {}", opened.url());
            }
            ServerSecret secret = serverSecret(config);
            AuditTrail trail = startAudit(config, db, secret);
            resources.add(trail);
            LoggingSecurityEvents logged = new LoggingSecurityEvents();
            SecurityEvents recorded = e -> {
                logged.record(e);
                trail.record(e);
            };
            LimitsConfig limitsConfig = config.limits();
            PrincipalService principals = new PrincipalService(db, limitsConfig.defaultTier(), limitsConfig::knows);
            VirtualKeyService keys = VirtualKeyService.open(db, secret, principals);
            resources.add(keys);
            Optional<AnomalyMonitor> anomalies = startAnomalyDetection(config, db, recorded, keys);
            anomalies.ifPresent(resources::add);
            SecurityEvents events = e -> {
                recorded.record(e);
                anomalies.ifPresent(m -> m.observe(AuditEntry.of(e)));
            };

            UpstreamConfig upstream = config.upstream();
            ProviderKey providerKey;
            Optional<String> demoKey = Optional.empty();
            if (config.demoMode()) {
                String fakeKey = "sk-ant-demo-" + randomBase62(40);
                FakeUpstream fake = FakeUpstream.start(FakeUpstreamOptions.defaults(fakeKey));
                resources.add(fake);
                upstream = new UpstreamConfig(fake.baseUri(), false, Optional.empty(), "demo", upstream.connectTimeout(),
                        upstream.idleTimeout(), upstream.maxConnections());
                providerKey = new ProviderKey("demo", fakeKey);
                keys.revokeByName(DEMO_KEY_NAME);
                demoPrincipal(principals, limitsConfig);
                demoKey = Optional.of(keys.create(DEMO_KEY_NAME).key());
            } else if (config.vault().enabled()) {
                providerKey = null;
            } else {
                providerKey = new ProviderKey(upstream.apiKeySetting(), upstream.apiKey()
                        .orElseThrow(() -> new ConfigException("ANTHROPIC_API_KEY is not set; set it to your Anthropic API key"))
                        .reveal());
            }
            Optional<KeyVault> vault = Optional.empty();
            ProviderKeys providerKeys;
            if (providerKey == null) {
                KeyVault opened = openVault(config, db, events, upstream);
                resources.add(opened);
                vault = Optional.of(opened);
                providerKeys = opened.providerKeys();
            } else {
                providerKeys = new StaticProviderKeys(providerKey);
            }
            URI upstreamUrl = upstream.url();
            PricingTable pricing = config.pricingFile().map(PricingTable::withOverrides).orElseGet(PricingTable::defaults);
            Metrics metrics = new Metrics().auditQueue(trail::queueDepth);
            AuditObserver audit = new AuditObserver(trail, pricing)
                    .alsoTo(entry -> anomalies.ifPresent(m -> m.observe(entry)))
                    .alsoTo(entry -> {
                        if (entry.fields().get("cost_usd") instanceof Double cost) {
                            metrics.recordCost(String.valueOf(entry.fields().get("model")), cost);
                        }
                    });
            trail.observeWrites(metrics::recordAuditWrite);
            vault.ifPresent(v -> metrics.keysOverdue(() -> v.isSealed() ? 0 : v.overdue().size()));
            TokenService tokens = new TokenService(db, secret, principals, config.tokens(), events, java.time.Clock.systemUTC());
            GatewayServer.Builder builder = GatewayServer.builder()
                    .listen(config.listen())
                    .server(config.server())
                    .upstream(upstream)
                    .authenticator(new KeysAndTokens(keys, tokens))
                    .credentialGuard(new TokenGuard(tokens))
                    .endpoint(Route.TOKENS_CREATE, new TokenEndpoint(tokens))
                    .providerKeys(providerKeys)
                    .observer(new AccessLog())
                    .observer(audit)
                    .preflight(audit)
                    .observer(metrics.exchangeObserver())
                    .preflight(metrics.streamTracker())
                    .readiness(readiness("store", db::isHealthy))
                    .readiness(readiness("upstream", () -> reachable(upstreamUrl)));
            redis.ifPresent(r -> builder.readiness(readiness("redis", r::isHealthy)));
            addGuardrails(builder, config);
            addLimits(builder, config, principals, redis, events);
            addBudgets(builder, budgets, db, principals, redis, pricing, events, resources);
            extraObservers.forEach(builder::observer);
            GatewayServer server = builder.start();
            resources.add(server);
            Optional<AdminServer> admin = startAdmin(config, db, secret, keys, tokens, vault, events, metrics, resources);
            events.record(SecurityEvent.of("gateway.started", server.baseUri().toString(), startupSummary(config, providerKeys)));
            LOG.info("keywarden listening on {} -> upstream {} ({}); environment {}", server.baseUri(),
                    config.demoMode() ? "bundled fake (demo)" : upstreamUrl, providerKeys.describe(),
                    config.environment().name().toLowerCase(java.util.Locale.ROOT));
            return new GatewayApp(resources, server, demoKey, keys, admin, vault, tokens);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /**
     * Suspension check (always), per-principal rate limits (unless {@code limits.enabled: off}) and the
     * per-address lockout (unless {@code limits.auth_failures_per_minute: 0}); in Redis with
     * {@code state: redis}, with {@code redis.on_failure} deciding what happens while Redis is down.
     */
    private static void addLimits(GatewayServer.Builder builder, KeywardenConfig config, PrincipalService principals,
                                  Optional<RedisState> redis, SecurityEvents events) {
        LimitsConfig limits = config.limits();
        LocalRateLimiter local = new LocalRateLimiter();
        RateLimiter limiter = redis.<RateLimiter>map(r -> new FailoverRateLimiter(new RedisRateLimiter(r), local,
                config.shared().onRedisFailure(), config.shared().instances(), events)).orElse(local);
        builder.preflight(new PrincipalGate(principals));
        if (limits.enabled()) {
            builder.admission(new RateLimitGate(limiter, limits, principals));
            LOG.info("rate limits per principal ({}): {}", redis.isPresent() ? "shared in Redis" : "in this process",
                    limits.tiers().values().stream().map(t -> t.name() + " " + t.requestsPerMinute() + " req/min").sorted().toList());
        }
        if (limits.authFailuresPerMinute() > 0) {
            builder.addressGuard(new AddressLockout(limiter, local, limits.authFailuresPerMinute(), limits.authLockout(), events));
        }
    }

    /**
     * Spend budgets per principal, team and virtual key (unless {@code budgets.enabled: off}), after the rate
     * limits; counted in Redis with {@code state: redis}, else in this process and persisted in the store.
     */
    private static void addBudgets(GatewayServer.Builder builder, BudgetConfig budgets, Database db, PrincipalService principals,
                                   Optional<RedisState> redis, PricingTable pricing, SecurityEvents events,
                                   List<AutoCloseable> resources) {
        if (!budgets.enabled()) {
            LOG.warn("budgets are off (budgets.enabled: off): spend is not limited");
            return;
        }
        java.time.Clock clock = java.time.Clock.systemUTC();
        BudgetStore store = new BudgetStore(db);
        SpendLedger ledger = redis.<SpendLedger>map(r -> new RedisSpendLedger(r, clock))
                .orElseGet(() -> new LocalSpendLedger(clock, store, db.dialect() == dev.keywarden.store.Dialect.POSTGRESQL));
        resources.add(ledger);
        builder.admission(new BudgetGate(new BudgetPolicy(budgets, principals, store::all, clock), ledger, pricing, events, clock));
        LOG.info("spend budgets ({}; soft alert at {}): tier defaults {}", redis.isPresent() ? "shared in Redis" : "in this process",
                budgets.softThreshold(), budgets.tierDefaults().entrySet().stream().map(e -> e.getKey() + " " + e.getValue().describe()).sorted().toList());
    }

    /** Guardrails on request bodies and model output, as {@code guard.*} and {@code tiers.<name>.guard|models} say. */
    private static void addGuardrails(GatewayServer.Builder builder, KeywardenConfig config) {
        dev.keywarden.guard.GuardConfig guard = dev.keywarden.guard.GuardConfig.from(config.guardSettings());
        dev.keywarden.guard.SecretDetector secrets = dev.keywarden.guard.SecretDetector.builtIn();
        dev.keywarden.guard.InjectionScorer injection = dev.keywarden.guard.InjectionScorer.builtIn();
        builder.guard(new dev.keywarden.guard.RequestGuard(guard, secrets, injection),
                guard.outputGuarded() ? new dev.keywarden.guard.OutputGuard(guard, secrets) : null);
        LOG.info("{} (injection rules version {})", guard.describe(), injection.rules().version());
    }

    /** The demo key's principal: an app on the enterprise tier, so trying the demo is not throttled at once. */
    private static void demoPrincipal(PrincipalService principals, LimitsConfig limits) {
        String tier = limits.knows("enterprise") ? "enterprise" : limits.defaultTier();
        Principal p = principals.find(DEMO_KEY_NAME)
                .orElseGet(() -> principals.create(DEMO_KEY_NAME, Principal.Kind.APP, tier, null));
        if (!p.tier().equals(tier)) {
            principals.setTier(p.id(), tier);
        }
        if (p.suspended()) {
            principals.resume(p.id());
        }
    }

    /** The admin listener; a taken default port is a warning, a taken configured port stops start-up. */
    private static Optional<AdminServer> startAdmin(KeywardenConfig config, Database db, ServerSecret secret,
                                                    VirtualKeyService keys, TokenService tokens, Optional<KeyVault> vault,
                                                    SecurityEvents events,
                                                    Metrics metrics, List<AutoCloseable> resources) {
        if (config.admin().listen().isEmpty()) {
            LOG.info("admin API disabled (admin.listen: off)");
            return Optional.empty();
        }
        AdminRoutes routes = new AdminRoutes();
        VirtualKeyAdmin.register(routes, keys);
        dev.keywarden.admin.PrincipalAdmin.register(routes, keys.principals());
        dev.keywarden.admin.BudgetAdmin.register(routes, new BudgetStore(db), keys);
        dev.keywarden.admin.TokenAdmin.register(routes, tokens);
        vault.ifPresent(v -> VaultAdmin.register(routes, v));
        dev.keywarden.admin.MetricsAdmin.register(routes, metrics);
        try {
            AdminServer admin = AdminServer.start(config.admin().listen().get(), new AdminTokens(db, secret), routes, events);
            resources.add(admin);
            LOG.info("admin API listening on {} (Bearer admin tokens: keywarden admin create-token)", admin.baseUri());
            return Optional.of(admin);
        } catch (IllegalStateException e) {
            if (config.admin().explicit()) {
                throw new ConfigException("admin.listen (KEYWARDEN_ADMIN_LISTEN): " + e.getMessage()
                        + "; choose a free address or set it to off");
            }
            LOG.warn("admin API not started: {} (set KEYWARDEN_ADMIN_LISTEN to a free address, or off)", e.getMessage());
            return Optional.empty();
        }
    }

    /** The audit trail (chain {@code main} of the embedded store), mirrored as JSON lines when configured. */
    private static AuditTrail startAudit(KeywardenConfig config, Database db, ServerSecret secret) {
        List<AuditSink> mirrors = new ArrayList<>();
        config.audit().mirror().ifPresent(target -> {
            try {
                mirrors.add(JsonLinesSink.open(target));
            } catch (java.io.UncheckedIOException e) {
                throw new ConfigException(e.getMessage() + "; set audit.mirror (KEYWARDEN_AUDIT_MIRROR) to a writable file, stdout or off");
            }
        });
        AuditTrail.Options options = new AuditTrail.Options(config.audit().strict(), config.audit().queueSize(), 500, 1_000,
                java.time.Duration.ofSeconds(5));
        // one chain per writer: with a shared PostgreSQL store every instance (and every restart) starts a
        // chain of its own, so instances never race for the same record numbers
        String chain = config.shared().postgres()
                ? "gw-" + java.time.Instant.now().toEpochMilli() + "-" + Long.toHexString(new SecureRandom().nextLong())
                : "main";
        return AuditTrail.start(new AuditStore(db), secret, chain, options, mirrors);
    }

    /**
     * Anomaly detection over the live stream of calls and security events, learning first from the
     * stored trail; alerts go to the log, the audit trail and the configured webhook. The optional
     * suspend action revokes the virtual key named by an alert (principal suspension comes with tiers).
     */
    private static Optional<AnomalyMonitor> startAnomalyDetection(KeywardenConfig config, Database db, SecurityEvents recorded,
                                                                  VirtualKeyService keys) {
        AnomalyConfig settings = AnomalyConfig.fromSettings(config.alertSettings());
        if (!settings.enabled()) {
            LOG.info("anomaly detection disabled (anomaly.enabled: false)");
            return Optional.empty();
        }
        KeySuspender suspender = (credentialId, alert) -> {
            if (keys.revoke(credentialId)) {
                LOG.warn("anomaly {}: revoked virtual key {} (anomaly.suspend_key is on)", alert.type(), credentialId);
            }
        };
        return Optional.of(AnomalyMonitor.start(settings, AnomalyMonitor.standardSinks(settings, recorded, java.time.Clock.systemUTC()),
                suspender, HistorySource.fromStore(new AuditStore(db), Instant.now().minus(settings.warmUp()))));
    }

    /** What the gateway started with, for the audit trail: settings that matter for security, never a secret. */
    private static java.util.Map<String, String> startupSummary(KeywardenConfig config, ProviderKeys keys) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("environment", config.environment().name().toLowerCase(java.util.Locale.ROOT));
        m.put("listen", config.listen().toString());
        m.put("admin_listen", config.admin().listen().map(Object::toString).orElse("off"));
        m.put("upstream", config.demoMode() ? "bundled fake (demo)" : config.upstream().url().toString());
        m.put("vault_kek", config.vault().kek());
        m.put("provider_keys", keys.describe());
        m.put("audit_mode", config.audit().strict() ? "strict" : "buffered");
        m.put("max_body_bytes", String.valueOf(config.server().maxBodyBytes()));
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
        return demoKey;
    }

    /** The virtual-key service of this gateway (CLI-equivalent operations for tests and admin). */
    public VirtualKeyService virtualKeys() {
        return keys;
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

    private static Readiness readiness(String name, java.util.function.BooleanSupplier check) {
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

    static String randomBase62(int n) {
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(r.nextInt(62)));
        }
        return sb.toString();
    }
}
