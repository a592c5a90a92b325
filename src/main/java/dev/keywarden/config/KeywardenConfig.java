package dev.keywarden.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The whole configuration of a gateway process, one typed record per section. Only {@link ConfigLoader}
 * can build one, so every instance has passed validation, every section at once, before anything is
 * opened; each section's defaults live in its parser ({@link ConfigSchema} lists them). {@link #toString()}
 * never reveals a secret ({@link Secret}).
 */
public final class KeywardenConfig {

    private final Environment environment;
    private final HostPort listen;
    private final Path dataDir;
    private final Optional<Secret> serverSecret;
    private final UpstreamConfig upstream;
    private final ServerConfig server;
    private final AdminConfig admin;
    private final VaultConfig vault;
    private final AuditConfig audit;
    private final SharedConfig shared;
    private final LimitsConfig limits;
    private final BudgetSettings budgets;
    private final TokensConfig tokens;
    private final GuardConfig guard;
    private final AnomalyConfig anomaly;
    private final PricingConfig pricing;
    private final CorsConfig cors;
    private final UsersConfig users;
    private final Optional<OidcConfig> oidc;
    private final ByokConfig byok;
    private final AppsConfig apps;
    private final List<String> notices;

    KeywardenConfig(Environment environment, GeneralSection.General general, UpstreamConfig upstream, ServerConfig server,
                    AdminConfig admin, VaultConfig vault, AuditConfig audit, SharedConfig shared, LimitsConfig limits,
                    BudgetSettings budgets, TokensConfig tokens, GuardConfig guard, AnomalyConfig anomaly, PricingConfig pricing,
                    CorsConfig cors, UsersConfig users, Optional<OidcConfig> oidc, ByokConfig byok, AppsConfig apps,
                    List<String> notices) {
        this.environment = environment;
        this.listen = general.listen();
        this.dataDir = general.dataDir();
        this.serverSecret = general.serverSecret();
        this.upstream = upstream;
        this.server = server;
        this.admin = admin;
        this.vault = vault;
        this.audit = audit;
        this.shared = shared;
        this.limits = limits;
        this.budgets = budgets;
        this.tokens = tokens;
        this.guard = guard;
        this.anomaly = anomaly;
        this.pricing = pricing;
        this.cors = cors;
        this.users = users;
        this.oidc = oidc;
        this.byok = byok;
        this.apps = apps;
        this.notices = List.copyOf(notices);
    }

    /** {@code environment}: development, staging or production. */
    public Environment environment() {
        return environment;
    }

    /** {@code listen}: the client listener. */
    public HostPort listen() {
        return listen;
    }

    /** {@code data_dir}, resolved against the working directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** {@code server_secret}, when set (otherwise the data directory's generated one is used). */
    public Optional<Secret> serverSecret() {
        return serverSecret;
    }

    /** {@code upstream.*}. */
    public UpstreamConfig upstream() {
        return upstream;
    }

    /** {@code server.*}: limits of the client listener. */
    public ServerConfig server() {
        return server;
    }

    /** {@code admin.*}. */
    public AdminConfig admin() {
        return admin;
    }

    /** {@code vault.*}. */
    public VaultConfig vault() {
        return vault;
    }

    /** {@code audit.*}. */
    public AuditConfig audit() {
        return audit;
    }

    /** {@code store}, {@code postgres.*}, {@code state}, {@code redis.*}, {@code cluster.*}. */
    public SharedConfig shared() {
        return shared;
    }

    /** {@code limits.*} and the tiers' rate limits. */
    public LimitsConfig limits() {
        return limits;
    }

    /** {@code budgets.*} and the tiers' default budgets. */
    public BudgetSettings budgets() {
        return budgets;
    }

    /** {@code tokens.*}. */
    public TokensConfig tokens() {
        return tokens;
    }

    /** {@code guard.*} and the tiers' guard modes and model allow-lists. */
    public GuardConfig guard() {
        return guard;
    }

    /** {@code anomaly.*} and {@code alerts.*}. */
    public AnomalyConfig anomaly() {
        return anomaly;
    }

    /** {@code pricing.*}: the operator's prices, already read. */
    public PricingConfig pricing() {
        return pricing;
    }

    /** {@code cors.*}. */
    public CorsConfig cors() {
        return cors;
    }

    /** {@code sessions.*} and {@code users.*}: browser sessions of local accounts and sign-in throttling. */
    public UsersConfig users() {
        return users;
    }

    /** {@code oidc.*}: OpenID Connect sign-in and IdP bearer tokens, when {@code oidc.issuer} is set. */
    public Optional<OidcConfig> oidc() {
        return oidc;
    }

    /** {@code byok.*}: users' own Anthropic keys. */
    public ByokConfig byok() {
        return byok;
    }

    /** {@code apps.<name>.*}: what the chat endpoint sends for each app. */
    public AppsConfig apps() {
        return apps;
    }

    /**
     * Lines to log at start-up about how the configuration was assembled (a loaded {@code .env} file, a
     * secret kept in the config file, ...), each starting {@code WARN } or {@code INFO }; never a secret value.
     */
    public List<String> notices() {
        return notices;
    }

    /**
     * Demo mode: no provider key and no upstream URL configured, so the bundled fake upstream serves.
     * {@code serve} allows it in development only ({@link Environment#isDevelopment()}).
     */
    public boolean demoMode() {
        return upstream.apiKey().isEmpty() && !upstream.urlExplicit() && !vault.enabled();
    }

    @Override
    public String toString() {
        return "KeywardenConfig[environment=" + environment + ", listen=" + listen + ", dataDir=" + dataDir
                + ", serverSecret=" + serverSecret + ", upstream=" + upstream + ", server=" + server + ", admin=" + admin
                + ", vault=" + vault + ", audit=" + audit + ", shared=" + shared + ", limits=" + limits + ", budgets=" + budgets
                + ", tokens=" + tokens + ", guard=" + guard + ", anomaly=" + anomaly + ", pricing=" + pricing + ", cors=" + cors
                + ", users=" + users + ", oidc=" + oidc + ", byok=" + byok + ", apps=" + apps + ", notices=" + notices + "]";
    }
}
