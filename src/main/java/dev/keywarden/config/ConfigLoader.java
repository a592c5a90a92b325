package dev.keywarden.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Assembles {@link KeywardenConfig} from, in increasing precedence: the defaults below, the YAML
 * file, a {@code .env} file (development only), the process environment, and command-line flags.
 *
 * <p>Guarantee: any mistake — an unknown YAML key, an unparsable value, a provider key of the
 * wrong shape — raises {@link ConfigException} with one line naming the setting (YAML path and
 * environment variable) and the fix, and never quoting a secret value.
 */
public final class ConfigLoader {

    /** One configuration setting: its YAML path, its environment variable and its default. */
    record Setting(String path, String env, String defaultValue, boolean secret) {
        String label() {
            return path + " (" + env + ")";
        }
    }

    static final Setting ENVIRONMENT = new Setting("environment", "KEYWARDEN_ENV", "development", false);
    static final Setting LISTEN = new Setting("listen", "KEYWARDEN_LISTEN", "127.0.0.1:8787", false);
    static final Setting DATA_DIR = new Setting("data_dir", "KEYWARDEN_DATA_DIR", "./data", false);
    static final Setting SERVER_SECRET = new Setting("server_secret", "KEYWARDEN_SERVER_SECRET", null, true);
    static final Setting UPSTREAM_URL = new Setting("upstream.url", "KEYWARDEN_UPSTREAM_URL", "https://api.anthropic.com", false);
    static final Setting UPSTREAM_API_KEY = new Setting("upstream.api_key", "ANTHROPIC_API_KEY", null, true);
    static final Setting UPSTREAM_CONNECT_TIMEOUT = new Setting("upstream.connect_timeout", "KEYWARDEN_UPSTREAM_CONNECT_TIMEOUT", "10s", false);
    static final Setting UPSTREAM_IDLE_TIMEOUT = new Setting("upstream.idle_timeout", "KEYWARDEN_UPSTREAM_IDLE_TIMEOUT", "600s", false);
    static final Setting UPSTREAM_MAX_CONNECTIONS = new Setting("upstream.max_connections", "KEYWARDEN_UPSTREAM_MAX_CONNECTIONS", "2048", false);
    static final Setting SERVER_MAX_BODY = new Setting("server.max_body_bytes", "KEYWARDEN_MAX_BODY_BYTES", "32MB", false);
    static final Setting SERVER_MAX_HEADER = new Setting("server.max_header_bytes", "KEYWARDEN_MAX_HEADER_BYTES", "16KB", false);
    static final Setting SERVER_IDLE_TIMEOUT = new Setting("server.idle_timeout", "KEYWARDEN_IDLE_TIMEOUT", "30s", false);

    static final Setting ADMIN_LISTEN = new Setting("admin.listen", "KEYWARDEN_ADMIN_LISTEN", "127.0.0.1:8788", false);

    static final Setting VAULT_KEK = new Setting("vault.kek", "KEYWARDEN_VAULT_KEK", "none", false);
    static final Setting VAULT_PASSPHRASE = new Setting("vault.passphrase", "KEYWARDEN_VAULT_PASSPHRASE", null, true);
    static final Setting VAULT_KMS_KEY = new Setting("vault.kms_key", "KEYWARDEN_VAULT_KMS_KEY", null, false);
    static final Setting VAULT_KMS_ENDPOINT = new Setting("vault.kms_endpoint", "KEYWARDEN_VAULT_KMS_ENDPOINT", null, false);
    static final Setting VAULT_KEY_ENVIRONMENT = new Setting("vault.key_environment", "KEYWARDEN_KEY_ENVIRONMENT", null, false);
    static final Setting VAULT_CACHE_TTL = new Setting("vault.cache_ttl", "KEYWARDEN_VAULT_CACHE_TTL", "5m", false);

    static final Setting AUDIT_MODE = new Setting("audit.mode", "KEYWARDEN_AUDIT_MODE", "buffered", false);
    static final Setting AUDIT_QUEUE_SIZE = new Setting("audit.queue_size", "KEYWARDEN_AUDIT_QUEUE_SIZE", "10000", false);
    static final Setting AUDIT_MIRROR = new Setting("audit.mirror", "KEYWARDEN_AUDIT_MIRROR", "off", false);
    static final Setting PRICING_FILE = new Setting("pricing.file", "KEYWARDEN_PRICING_FILE", null, false);
    static final Setting STORE = new Setting("store", "KEYWARDEN_STORE", "sqlite", false);
    static final Setting POSTGRES_URL = new Setting("postgres.url", "KEYWARDEN_POSTGRES_URL", null, false);
    static final Setting POSTGRES_USER = new Setting("postgres.user", "KEYWARDEN_POSTGRES_USER", null, false);
    static final Setting POSTGRES_PASSWORD = new Setting("postgres.password", "KEYWARDEN_POSTGRES_PASSWORD", null, true);
    static final Setting POSTGRES_POOL_SIZE = new Setting("postgres.pool_size", "KEYWARDEN_POSTGRES_POOL_SIZE", "16", false);
    static final Setting STATE = new Setting("state", "KEYWARDEN_STATE", "local", false);
    static final Setting REDIS_URL = new Setting("redis.url", "KEYWARDEN_REDIS_URL", null, false);
    static final Setting REDIS_PASSWORD = new Setting("redis.password", "KEYWARDEN_REDIS_PASSWORD", null, true);
    static final Setting REDIS_ON_FAILURE = new Setting("redis.on_failure", "KEYWARDEN_REDIS_ON_FAILURE", "fail-closed", false);
    static final Setting CLUSTER_INSTANCES = new Setting("cluster.instances", "KEYWARDEN_CLUSTER_INSTANCES", "1", false);

    static final Setting LIMITS_ENABLED = new Setting("limits.enabled", "KEYWARDEN_LIMITS", "on", false);
    static final Setting LIMITS_DEFAULT_TIER = new Setting("limits.default_tier", "KEYWARDEN_LIMITS_DEFAULT_TIER", "free", false);
    static final Setting LIMITS_AUTH_FAILURES = new Setting("limits.auth_failures_per_minute", "KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "20", false);
    static final Setting LIMITS_AUTH_LOCKOUT = new Setting("limits.auth_lockout", "KEYWARDEN_AUTH_LOCKOUT", "15m", false);
    static final Setting TOKENS_MAX_TTL = new Setting("tokens.max_ttl", "KEYWARDEN_TOKENS_MAX_TTL", "1h", false);
    static final Setting TOKENS_MAX_USES = new Setting("tokens.max_uses", "KEYWARDEN_TOKENS_MAX_USES", "10000", false);
    static final List<Setting> SETTINGS = java.util.stream.Stream.concat(UsersSettings.SETTINGS.stream(), java.util.stream.Stream.of(TOKENS_MAX_TTL, TOKENS_MAX_USES, LIMITS_ENABLED, LIMITS_DEFAULT_TIER, LIMITS_AUTH_FAILURES, LIMITS_AUTH_LOCKOUT,
            ENVIRONMENT, LISTEN, DATA_DIR, SERVER_SECRET, ADMIN_LISTEN,
            AUDIT_MODE, AUDIT_QUEUE_SIZE, AUDIT_MIRROR, PRICING_FILE,
            VAULT_KEK, VAULT_PASSPHRASE, VAULT_KMS_KEY, VAULT_KMS_ENDPOINT, VAULT_KEY_ENVIRONMENT, VAULT_CACHE_TTL, UPSTREAM_URL,
            UPSTREAM_API_KEY, UPSTREAM_CONNECT_TIMEOUT, UPSTREAM_IDLE_TIMEOUT, UPSTREAM_MAX_CONNECTIONS,
            SERVER_MAX_BODY, SERVER_MAX_HEADER, SERVER_IDLE_TIMEOUT, STORE, POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD,
            POSTGRES_POOL_SIZE, STATE, REDIS_URL, REDIS_PASSWORD, REDIS_ON_FAILURE, CLUSTER_INSTANCES)).toList();

    private static final Pattern PROVIDER_KEY = Pattern.compile("sk-ant-[A-Za-z0-9_-]{33,249}");

    private final Map<String, String> env;
    private final Path workingDir;
    private final Map<String, String> flags = new HashMap<>();
    private Path configFile;

    private ConfigLoader(Map<String, String> env, Path workingDir) {
        this.env = env;
        this.workingDir = workingDir;
    }

    /** A loader reading the real process environment and the current directory. */
    public static ConfigLoader fromProcess() {
        return new ConfigLoader(System.getenv(), Path.of(""));
    }

    /** A loader over an explicit environment (tests). */
    public static ConfigLoader from(Map<String, String> env, Path workingDir) {
        return new ConfigLoader(Map.copyOf(env), workingDir);
    }

    /** The YAML file to read; {@code null} reads {@code keywarden.yaml} in the working directory when present. */
    public ConfigLoader configFile(Path file) {
        this.configFile = file;
        return this;
    }

    /** A command-line flag value (highest precedence), keyed by YAML path; {@code null} is ignored. */
    public ConfigLoader flag(String path, String value) {
        if (value != null) {
            flags.put(path, value);
        }
        return this;
    }

    public KeywardenConfig load() {
        List<String> notices = new ArrayList<>();
        Map<String, String> yaml = readYaml(notices);
        Map<String, String> merged = new HashMap<>(env);
        String envName = firstNonNull(flags.get(ENVIRONMENT.path()), env.get(ENVIRONMENT.env()), yaml.get(ENVIRONMENT.path()),
                ENVIRONMENT.defaultValue());
        Environment environment = parse(ENVIRONMENT, envName, Environment::parse);
        Path dotEnv = workingDir.resolve(".env");
        if (Files.isRegularFile(dotEnv)) {
            if (environment == Environment.DEVELOPMENT) {
                DotEnv.read(dotEnv).forEach(merged::putIfAbsent);
                notices.add("WARN loaded " + dotEnv.toAbsolutePath().normalize()
                        + " (development only; real environment variables win; set environment: production to ignore it)");
            } else {
                notices.add("WARN ignored " + dotEnv.toAbsolutePath().normalize() + ": .env files are not read in production");
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Boolean> fromUser = new HashMap<>();
        for (Setting s : SETTINGS) {
            String v = firstNonNull(flags.get(s.path()), blankToNull(merged.get(s.env())), yaml.get(s.path()));
            fromUser.put(s.path(), v != null);
            values.put(s.path(), v != null ? v : s.defaultValue());
        }

        HostPort listen = parse(LISTEN, values.get(LISTEN.path()), HostPort::parse);
        Path dataDir = parse(DATA_DIR, values.get(DATA_DIR.path()), raw -> workingDir.resolve(raw).normalize());
        URI upstreamUrl = parse(UPSTREAM_URL, values.get(UPSTREAM_URL.path()), ConfigLoader::httpUrl);
        Optional<Secret> apiKey = Optional.ofNullable(values.get(UPSTREAM_API_KEY.path())).map(String::strip).map(Secret::of);
        String apiKeySetting = flags.containsKey(UPSTREAM_API_KEY.path()) || merged.get(UPSTREAM_API_KEY.env()) != null
                ? UPSTREAM_API_KEY.env() : UPSTREAM_API_KEY.path() + " in the config file";
        apiKey.ifPresent(k -> validateProviderKey(k, apiKeySetting));
        if (apiKey.isPresent() && yaml.containsKey(UPSTREAM_API_KEY.path()) && merged.get(UPSTREAM_API_KEY.env()) == null) {
            notices.add("WARN the provider key is stored in the config file (upstream.api_key); prefer the ANTHROPIC_API_KEY environment variable or the vault");
        }
        boolean vaultOff = values.get(VAULT_KEK.path()).strip().equalsIgnoreCase("none");
        if (apiKey.isEmpty() && fromUser.get(UPSTREAM_URL.path()) && vaultOff) {
            throw new ConfigException("ANTHROPIC_API_KEY is not set but upstream.url (KEYWARDEN_UPSTREAM_URL) is: set ANTHROPIC_API_KEY to the provider key for "
                    + upstreamUrl.getHost() + ", or unset KEYWARDEN_UPSTREAM_URL to run the demo");
        }
        UpstreamConfig upstream = new UpstreamConfig(upstreamUrl, fromUser.get(UPSTREAM_URL.path()), apiKey, apiKeySetting,
                parse(UPSTREAM_CONNECT_TIMEOUT, values.get(UPSTREAM_CONNECT_TIMEOUT.path()), ConfigLoader::positiveDuration),
                parse(UPSTREAM_IDLE_TIMEOUT, values.get(UPSTREAM_IDLE_TIMEOUT.path()), ConfigLoader::positiveDuration),
                parse(UPSTREAM_MAX_CONNECTIONS, values.get(UPSTREAM_MAX_CONNECTIONS.path()), Values::positiveInt));
        long maxBody = parse(SERVER_MAX_BODY, values.get(SERVER_MAX_BODY.path()), raw -> atLeast(Values.bytes(raw), 1024, "1KB"));
        long maxHeader = parse(SERVER_MAX_HEADER, values.get(SERVER_MAX_HEADER.path()), raw -> atLeast(Values.bytes(raw), 1024, "1KB"));
        if (maxHeader > 1024 * 1024) {
            throw new ConfigException(SERVER_MAX_HEADER.label() + ": must be at most 1MB");
        }
        ServerConfig server = new ServerConfig(maxBody, (int) maxHeader,
                parse(SERVER_IDLE_TIMEOUT, values.get(SERVER_IDLE_TIMEOUT.path()), ConfigLoader::positiveDuration));
        Optional<Secret> serverSecret = Optional.ofNullable(values.get(SERVER_SECRET.path())).map(Secret::of);
        String adminRaw = values.get(ADMIN_LISTEN.path()).strip();
        AdminConfig admin = adminRaw.equalsIgnoreCase("off")
                ? new AdminConfig(Optional.empty(), true)
                : new AdminConfig(Optional.of(parse(ADMIN_LISTEN, adminRaw, HostPort::parse)), fromUser.get(ADMIN_LISTEN.path()));
        VaultConfig vault = vault(values, environment, flags.containsKey(VAULT_PASSPHRASE.path()) || merged.containsKey(VAULT_PASSPHRASE.env()),
                yaml.containsKey(VAULT_PASSPHRASE.path()), notices);
        SharedConfig shared = shared(values, yaml, notices);
        if (shared.postgres() && serverSecret.isEmpty()) {
            notices.add("WARN store is postgres but server_secret (KEYWARDEN_SERVER_SECRET) is not set: the secret generated in "
                    + "the data directory serves one instance only; set the same value on every instance");
        }
        AuditConfig audit = audit(values, notices);
        Map<String, String> tierValues = new LinkedHashMap<>();
        Map<String, String> guardSettings = new java.util.TreeMap<>();
        yaml.forEach((k, v) -> {
            if (isGuardSetting(k)) {
                guardSettings.put(k, v);
            } else if (k.startsWith("tiers.")) {
                tierValues.put(k, v);
            }
        });
        merged.forEach((k, v) -> {
            if (k.startsWith("KEYWARDEN_GUARD_") && v != null && !v.isBlank()) {
                guardSettings.put(k, v);
            }
        });
        flags.forEach((k, v) -> {
            if (isGuardSetting(k)) {
                guardSettings.put(k, v);
            }
        });
        tierValues.putAll(LimitsConfig.fromEnv(merged));
        LimitsConfig limits = LimitsConfig.build(parse(LIMITS_ENABLED, values.get(LIMITS_ENABLED.path()), LimitsConfig.onOff()),
                tierValues, values.get(LIMITS_DEFAULT_TIER.path()),
                parse(LIMITS_AUTH_FAILURES, values.get(LIMITS_AUTH_FAILURES.path()), Integer::parseInt),
                parse(LIMITS_AUTH_LOCKOUT, values.get(LIMITS_AUTH_LOCKOUT.path()), ConfigLoader::positiveDuration));
        if (!limits.enabled()) {
            notices.add("WARN rate limits are off (limits.enabled: off): principals are not limited");
        }
        TokensConfig tokens = new TokensConfig(
                parse(TOKENS_MAX_TTL, values.get(TOKENS_MAX_TTL.path()), raw -> {
                    Duration d = Values.duration(raw);
                    if (d.toSeconds() < 1) {
                        throw new IllegalArgumentException("must be at least 1s");
                    }
                    return d;
                }),
                parse(TOKENS_MAX_USES, values.get(TOKENS_MAX_USES.path()), Values::positiveInt));
        // accounts, sessions and OpenID Connect (UsersSettings)
        UsersConfig users = UsersSettings.users(values, environment, listen, notices);
        Optional<OidcConfig> oidc = UsersSettings.oidc(values, limits::knows,
                yaml.containsKey(UsersSettings.OIDC_CLIENT_SECRET.path()) && merged.get(UsersSettings.OIDC_CLIENT_SECRET.env()) == null
                        && !flags.containsKey(UsersSettings.OIDC_CLIENT_SECRET.path()), workingDir, notices);
        return new KeywardenConfig(environment, listen, dataDir, upstream, server, admin, vault, audit, shared,
                alertSettings(yaml, merged, flags),
                Optional.ofNullable(values.get(PRICING_FILE.path())).map(String::strip).map(workingDir::resolve),
                serverSecret, List.copyOf(notices), limits, budgetSettings(yaml, merged, flags, tierValues), tokens,
                java.util.Collections.unmodifiableMap(guardSettings), users, oidc);
    }

    /**
     * Anomaly detection and alert delivery settings ({@code anomaly.*}, {@code alerts.*}) as given, from
     * the config file, then {@code KEYWARDEN_ANOMALY_*} / {@code KEYWARDEN_ALERTS_*} variables; the
     * anomaly package validates names and values (one-line errors naming the setting).
     */
    private static Map<String, String> alertSettings(Map<String, String> yaml, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> out = new java.util.TreeMap<>();
        yaml.forEach((k, v) -> {
            if (isAlertSetting(k)) {
                out.put(k, v);
            }
        });
        env.forEach((k, v) -> {
            for (String prefix : List.of("anomaly", "alerts")) {
                String envPrefix = "KEYWARDEN_" + prefix.toUpperCase(java.util.Locale.ROOT) + "_";
                if (k.startsWith(envPrefix) && v != null && !v.isBlank()) {
                    out.put(prefix + "." + k.substring(envPrefix.length()).toLowerCase(java.util.Locale.ROOT), v);
                }
            }
        });
        flags.forEach((k, v) -> {
            if (isAlertSetting(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Guardrail settings: {@code guard.*}, {@code tiers.<name>.guard}, {@code tiers.<name>.models} (lists allowed). */
    private static boolean isGuardSetting(String path) {
        return path.startsWith("guard.") || (path.startsWith("tiers.") && (path.endsWith(".guard") || path.endsWith(".models")));
    }

    private static boolean isAlertSetting(String path) {
        return path.startsWith("anomaly.") || path.startsWith("alerts.");
    }

    /**
     * Budget settings as given: {@code budgets.*} from the config file, then {@code KEYWARDEN_BUDGETS_*}
     * variables and flags, plus the {@code tiers.<name>.*_budget_usd} values among {@code tierValues}; the
     * budget package validates names and values.
     */
    private static Map<String, String> budgetSettings(Map<String, String> yaml, Map<String, String> env, Map<String, String> flags,
                                                      Map<String, String> tierValues) {
        Map<String, String> out = new java.util.TreeMap<>();
        yaml.forEach((k, v) -> {
            if (k.startsWith("budgets.")) {
                out.put(k, v);
            }
        });
        env.forEach((k, v) -> {
            if (k.startsWith("KEYWARDEN_BUDGETS_") && v != null && !v.isBlank()) {
                out.put("budgets." + k.substring("KEYWARDEN_BUDGETS_".length()).toLowerCase(java.util.Locale.ROOT), v);
            }
        });
        flags.forEach((k, v) -> {
            if (k.startsWith("budgets.")) {
                out.put(k, v);
            }
        });
        tierValues.forEach((k, v) -> {
            for (String field : LimitsConfig.BUDGET_FIELDS) {
                if (k.endsWith("." + field)) {
                    out.put(k, v);
                }
            }
        });
        return out;
    }

    private static AuditConfig audit(Map<String, String> values, List<String> notices) {
        boolean strict = parse(AUDIT_MODE, values.get(AUDIT_MODE.path()), raw -> switch (raw.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "buffered" -> false;
            case "strict" -> true;
            default -> throw new IllegalArgumentException("must be buffered (default: records are queued and written"
                    + " in batches) or strict (a call waits for its record; calls are refused while the audit store fails)");
        });
        int queue = parse(AUDIT_QUEUE_SIZE, values.get(AUDIT_QUEUE_SIZE.path()), Values::positiveInt);
        String mirror = values.get(AUDIT_MIRROR.path()).strip();
        Optional<String> mirrorTarget = mirror.equalsIgnoreCase("off") ? Optional.empty() : Optional.of(mirror);
        notices.add("INFO audit trail: " + (strict ? "strict (fail closed: calls wait for their record and are refused"
                + " while it cannot be written)" : "buffered (records are written in batches; a crash can lose at most the"
                + " records still queued)") + mirrorTarget.map(m -> "; mirrored as JSON lines to " + m).orElse(""));
        return new AuditConfig(strict, queue, mirrorTarget);
    }

    private static SharedConfig shared(Map<String, String> values, Map<String, String> yaml, List<String> notices) {
        SharedConfig.Store store = parse(STORE, values.get(STORE.path()), raw -> switch (lower(raw)) {
            case "sqlite" -> SharedConfig.Store.SQLITE;
            case "postgres", "postgresql" -> SharedConfig.Store.POSTGRES;
            default -> throw new IllegalArgumentException("must be sqlite (embedded, one host) or postgres (shared by many instances)");
        });
        String rawPgUrl = values.get(POSTGRES_URL.path());
        Optional<String> postgresUrl = Optional.ofNullable(rawPgUrl).map(ConfigLoader::postgresUrl);
        if (store == SharedConfig.Store.POSTGRES && postgresUrl.isEmpty()) {
            throw new ConfigException(POSTGRES_URL.label() + ": required with store: postgres; set it to a URL such as "
                    + "jdbc:postgresql://127.0.0.1:5432/keywarden, or set store: sqlite");
        }
        if (store == SharedConfig.Store.SQLITE && postgresUrl.isPresent()) {
            notices.add("WARN postgres.url is set but store is sqlite: PostgreSQL is not used (set store: postgres to use it)");
        }
        int poolSize = parse(POSTGRES_POOL_SIZE, values.get(POSTGRES_POOL_SIZE.path()), raw -> {
            int n = Values.positiveInt(raw);
            if (n > 1000) {
                throw new IllegalArgumentException("must be at most 1000");
            }
            return n;
        });
        SharedConfig.State state = parse(STATE, values.get(STATE.path()), raw -> switch (lower(raw)) {
            case "local" -> SharedConfig.State.LOCAL;
            case "redis" -> SharedConfig.State.REDIS;
            default -> throw new IllegalArgumentException("must be local (limits in this process) or redis (shared by many instances)");
        });
        String rawRedisUrl = values.get(REDIS_URL.path());
        if (rawRedisUrl != null && state == SharedConfig.State.LOCAL) {
            notices.add("WARN redis.url is set but state is local: Redis is not used (set state: redis to use it)");
        }
        Optional<URI> redisUrl = state == SharedConfig.State.REDIS
                ? Optional.of(redisUrl(rawRedisUrl != null ? rawRedisUrl : "redis://127.0.0.1:6379"))
                : Optional.ofNullable(rawRedisUrl).map(ConfigLoader::redisUrl);
        SharedConfig.OnRedisFailure onFailure = parse(REDIS_ON_FAILURE, values.get(REDIS_ON_FAILURE.path()), raw -> switch (lower(raw)) {
            case "fail-closed" -> SharedConfig.OnRedisFailure.FAIL_CLOSED;
            case "local-fallback" -> SharedConfig.OnRedisFailure.LOCAL_FALLBACK;
            default -> throw new IllegalArgumentException("must be fail-closed (refuse while Redis is unreachable) or local-fallback "
                    + "(rate limits fall back to per-instance limits divided by cluster.instances; budgets still fail closed)");
        });
        int instances = parse(CLUSTER_INSTANCES, values.get(CLUSTER_INSTANCES.path()), Values::positiveInt);
        if (state == SharedConfig.State.REDIS) {
            notices.add("INFO redis.on_failure " + lower(values.get(REDIS_ON_FAILURE.path())) + ": while Redis is unreachable budgets refuse requests"
                    + (onFailure == SharedConfig.OnRedisFailure.LOCAL_FALLBACK
                    ? " and request-rate limits fall back to per-instance limits divided by " + instances + " (cluster.instances)"
                    : " and so do request-rate limits"));
        }
        for (Setting secret : List.of(POSTGRES_PASSWORD, REDIS_PASSWORD)) {
            if (yaml.containsKey(secret.path()) && values.get(secret.path()) != null && values.get(secret.path()).equals(yaml.get(secret.path()))) {
                notices.add("WARN the " + secret.path() + " is stored in the config file; prefer the " + secret.env() + " environment variable");
            }
        }
        return new SharedConfig(store, postgresUrl, Optional.ofNullable(values.get(POSTGRES_USER.path())).map(String::strip),
                Optional.ofNullable(values.get(POSTGRES_PASSWORD.path())).map(Secret::of), poolSize, state, redisUrl,
                Optional.ofNullable(values.get(REDIS_PASSWORD.path())).map(Secret::of), onFailure, instances);
    }

    /**
     * A {@code jdbc:postgresql://} URL without a password. Checked before any value is quoted, so a
     * password wrongly put in the URL never reaches an error message.
     */
    private static String postgresUrl(String raw) {
        String url = raw.strip();
        String fix = "; put the password in KEYWARDEN_POSTGRES_PASSWORD (postgres.password) instead";
        int q = url.indexOf('?');
        if (q >= 0) {
            for (String option : url.substring(q + 1).split("[&;]")) {
                String name = option.split("=", 2)[0].strip();
                if (name.equalsIgnoreCase("password") || name.equalsIgnoreCase("sslpassword")) {
                    throw new ConfigException(POSTGRES_URL.label() + ": must not contain a " + name + fix);
                }
            }
        }
        String authority = url.startsWith("jdbc:postgresql://") ? url.substring("jdbc:postgresql://".length()).split("[/?]", 2)[0] : "";
        if (authority.contains("@")) {
            throw new ConfigException(POSTGRES_URL.label() + ": must not contain credentials before the host; set postgres.user "
                    + "(KEYWARDEN_POSTGRES_USER)" + fix);
        }
        if (!url.startsWith("jdbc:postgresql://") || authority.isEmpty()) {
            throw new ConfigException(POSTGRES_URL.label() + ": '" + url + "' must be a JDBC URL such as "
                    + "jdbc:postgresql://127.0.0.1:5432/keywarden");
        }
        return url;
    }

    /** A {@code redis://} or {@code rediss://} URL with a host and without a password. */
    private static URI redisUrl(String raw) {
        String url = raw.strip();
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            u = null;
        }
        if (u != null && u.getRawUserInfo() != null) {
            // redis://secret@host means a password to Redis clients, so any user-info part is refused
            throw new ConfigException(REDIS_URL.label() + ": must not contain credentials; put it in KEYWARDEN_REDIS_PASSWORD "
                    + "(redis.password) instead");
        }
        if (u == null || u.getScheme() == null || !(u.getScheme().equals("redis") || u.getScheme().equals("rediss"))
                || u.getHost() == null) {
            throw new ConfigException(REDIS_URL.label() + ": '" + url + "' must be a URL such as redis://127.0.0.1:6379 "
                    + "(rediss:// for TLS)");
        }
        if (u.getQuery() != null && u.getQuery().toLowerCase(java.util.Locale.ROOT).contains("password")) {
            throw new ConfigException(REDIS_URL.label() + ": must not contain a password; put it in KEYWARDEN_REDIS_PASSWORD "
                    + "(redis.password) instead");
        }
        return u;
    }

    private static String lower(String raw) {
        return raw.strip().toLowerCase(java.util.Locale.ROOT);
    }

    private static VaultConfig vault(Map<String, String> values, Environment environment, boolean passphraseFromEnv,
                                     boolean passphraseInFile, List<String> notices) {
        String kek = parse(VAULT_KEK, values.get(VAULT_KEK.path()), raw -> {
            String k = raw.strip().toLowerCase(java.util.Locale.ROOT);
            if (!List.of("none", "local", "passphrase", "vault-transit", "aws-kms", "gcp-kms").contains(k)) {
                throw new IllegalArgumentException("must be one of none, local, passphrase, vault-transit, aws-kms, gcp-kms");
            }
            return k;
        });
        Optional<String> kmsKey = Optional.ofNullable(values.get(VAULT_KMS_KEY.path())).map(String::strip);
        if (kek.endsWith("-kms") || kek.equals("vault-transit")) {
            if (kmsKey.isEmpty()) {
                throw new ConfigException(VAULT_KMS_KEY.label() + ": required with vault.kek " + kek
                        + " (the transit key URL, AWS key ARN or GCP key resource name)");
            }
        }
        if (kek.equals("local") && environment == Environment.PRODUCTION) {
            notices.add("WARN vault.kek local keeps the key-encryption key in the data directory: for development only");
        }
        if (passphraseInFile && !passphraseFromEnv) {
            notices.add("WARN the vault passphrase is stored in the config file; prefer KEYWARDEN_VAULT_PASSPHRASE or keywarden vault unseal");
        }
        String keyEnv = values.get(VAULT_KEY_ENVIRONMENT.path()) != null ? values.get(VAULT_KEY_ENVIRONMENT.path())
                : environment == Environment.PRODUCTION ? "prod" : "dev";
        String keyEnvironment = parse(VAULT_KEY_ENVIRONMENT, keyEnv, raw -> {
            String e = raw.strip().toLowerCase(java.util.Locale.ROOT);
            if (!List.of("dev", "staging", "prod").contains(e)) {
                throw new IllegalArgumentException("must be dev, staging or prod");
            }
            return e;
        });
        return new VaultConfig(kek, Optional.ofNullable(values.get(VAULT_PASSPHRASE.path())).map(Secret::of), kmsKey,
                Optional.ofNullable(values.get(VAULT_KMS_ENDPOINT.path())).map(String::strip), keyEnvironment,
                parse(VAULT_CACHE_TTL, values.get(VAULT_CACHE_TTL.path()), ConfigLoader::positiveDuration));
    }

    private Map<String, String> readYaml(List<String> notices) {
        Path file = configFile;
        if (file == null) {
            Path implicit = workingDir.resolve("keywarden.yaml");
            if (!Files.isRegularFile(implicit)) {
                return Map.of();
            }
            file = implicit;
        } else if (!Files.isRegularFile(file)) {
            throw new ConfigException("--config: file " + file.toAbsolutePath() + " does not exist; pass the path of your keywarden.yaml");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException("--config: " + file.toAbsolutePath() + " is not valid YAML (" + firstLine(e.getMessage())
                    + "); fix the file");
        }
        notices.add("INFO configuration file " + file.toAbsolutePath().normalize());
        Map<String, String> flat = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new ConfigException("--config: " + file.toAbsolutePath() + " must be a YAML mapping of settings");
            }
            flatten("", root, flat, file);
        }
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(path, e.getValue(), out, file);
                continue;
            }
            if (isGuardSetting(path)) {
                if (e.getValue().isArray()) {
                    List<String> items = new ArrayList<>();
                    e.getValue().forEach(item -> items.add(item.asText()));
                    out.put(path, String.join(",", items));
                } else if (!e.getValue().isValueNode()) {
                    throw new ConfigException(path + ": must be a single value or a list");
                } else if (!e.getValue().isNull()) {
                    out.put(path, e.getValue().asText());
                }
                continue;
            }
            if (path.startsWith("tiers.")) {
                if (!e.getValue().isValueNode()) {
                    throw new ConfigException(path + ": must be a single value, not a list");
                }
                if (!e.getValue().isNull()) {
                    out.put(path, e.getValue().asText());
                }
                continue;
            }
            if (isAlertSetting(path) || path.startsWith("budgets.")) {
                if (!e.getValue().isValueNode()) {
                    throw new ConfigException(path + ": must be a single value, not a list");
                }
                if (!e.getValue().isNull()) {
                    out.put(path, e.getValue().asText());
                }
                continue;
            }
            Setting s = SETTINGS.stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow(() ->
                    new ConfigException(path + " in " + file.getFileName() + ": unknown setting; known settings are "
                            + String.join(", ", SETTINGS.stream().map(Setting::path).toList())));
            if (e.getValue().isNull()) {
                continue;
            }
            if (e.getValue().isArray() && UsersSettings.listValued(path)) {
                List<String> items = new ArrayList<>();
                e.getValue().forEach(item -> items.add(item.asText()));
                out.put(path, String.join(",", items));
                continue;
            }
            if (!e.getValue().isValueNode()) {
                throw new ConfigException(s.label() + ": must be a single value, not a list");
            }
            out.put(path, e.getValue().asText());
        }
    }

    static <T> T parse(Setting s, String raw, Function<String, T> parser) {
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            String shown = s.secret() ? "" : " '" + raw + "'";
            throw new ConfigException(s.label() + ":" + shown + " " + e.getMessage());
        }
    }

    private static void validateProviderKey(Secret key, String setting) {
        String k = key.reveal();
        if (!PROVIDER_KEY.matcher(k).matches()) {
            String why = !k.startsWith("sk-ant-") ? "it does not start with sk-ant-"
                    : k.length() < 40 || k.length() > 256 ? "its length (" + k.length() + ") is not plausible (40 to 256 characters)"
                    : "it contains characters other than A-Z a-z 0-9 _ -";
            throw new ConfigException(setting + ": the value is not an Anthropic API key (" + why
                    + "); set it to the key from the Anthropic console, or unset it to run the demo");
        }
    }

    private static URI httpUrl(String raw) {
        try {
            URI u = new URI(raw.strip());
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw new IllegalArgumentException("must be an http(s) URL such as https://api.anthropic.com");
            }
            if (u.getUserInfo() != null) {
                throw new IllegalArgumentException("must not contain credentials; use ANTHROPIC_API_KEY");
            }
            if (u.getQuery() != null || u.getFragment() != null) {
                throw new IllegalArgumentException("must not have a query or fragment");
            }
            String s = u.toString();
            return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("must be an http(s) URL such as https://api.anthropic.com");
        }
    }

    private static Duration positiveDuration(String raw) {
        Duration d = Values.duration(raw);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be greater than 0");
        }
        return d;
    }

    private static long atLeast(long value, long min, String minText) {
        if (value < min) {
            throw new IllegalArgumentException("must be at least " + minText);
        }
        return value;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
