package dev.keywarden.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code store}, {@code postgres.*}, {@code state}, {@code redis.*}, {@code cluster.*}: what several instances share. */
final class SharedSection {

    static final Setting STORE = Setting.of("store", "KEYWARDEN_STORE", "sqlite",
            "sqlite (embedded, one host) or postgres (shared by many instances)");
    static final Setting POSTGRES_URL = Setting.of("postgres.url", "KEYWARDEN_POSTGRES_URL", null,
            "required with store: postgres, e.g. jdbc:postgresql://127.0.0.1:5432/keywarden (no password in it;"
                    + " the schema of currentSchema= must exist)");
    static final Setting POSTGRES_USER = Setting.of("postgres.user", "KEYWARDEN_POSTGRES_USER", null,
            "the database user").shown("the URL's user=, else the driver's default");
    static final Setting POSTGRES_PASSWORD = Setting.of("postgres.password", "KEYWARDEN_POSTGRES_PASSWORD", null,
            "the database password; none for trust or peer authentication").asSecret();
    static final Setting POSTGRES_POOL_SIZE = Setting.of("postgres.pool_size", "KEYWARDEN_POSTGRES_POOL_SIZE", "16",
            "most connections this instance opens to PostgreSQL (1 to 1000)");
    static final Setting STATE = Setting.of("state", "KEYWARDEN_STATE", "local",
            "local (limits live in this process) or redis (shared by every instance)");
    static final Setting REDIS_URL = Setting.of("redis.url", "KEYWARDEN_REDIS_URL", null,
            "redis://host:port[/db] or rediss:// for TLS, without credentials").shown("redis://127.0.0.1:6379 with state: redis");
    static final Setting REDIS_PASSWORD = Setting.of("redis.password", "KEYWARDEN_REDIS_PASSWORD", null,
            "the Redis password (AUTH)").asSecret();
    static final Setting REDIS_ON_FAILURE = Setting.of("redis.on_failure", "KEYWARDEN_REDIS_ON_FAILURE", "fail-closed",
            "while Redis is unreachable: fail-closed refuses requests; local-fallback divides request-rate limits by"
                    + " cluster.instances per instance (with an alert); budgets fail closed either way");
    static final Setting CLUSTER_INSTANCES = Setting.of("cluster.instances", "KEYWARDEN_CLUSTER_INSTANCES", "1",
            "how many gateway instances share the state (divides local-fallback rate limits)");
    static final List<Setting> SETTINGS = List.of(STORE, POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_POOL_SIZE,
            STATE, REDIS_URL, REDIS_PASSWORD, REDIS_ON_FAILURE, CLUSTER_INSTANCES);

    private SharedSection() {
    }

    static SharedConfig parse(Values values, boolean serverSecretGiven, List<String> notices) {
        SharedConfig.Store store = values.read(STORE, raw -> switch (lower(raw)) {
            case "sqlite" -> SharedConfig.Store.SQLITE;
            case "postgres", "postgresql" -> SharedConfig.Store.POSTGRES;
            default -> throw new IllegalArgumentException("must be sqlite (embedded, one host) or postgres (shared by many instances)");
        });
        Optional<String> postgresUrl = Optional.ofNullable(values.get(POSTGRES_URL)).map(SharedSection::postgresUrl);
        if (store == SharedConfig.Store.POSTGRES && postgresUrl.isEmpty()) {
            throw Values.error(POSTGRES_URL, "required with store: postgres; set it to a URL such as "
                    + "jdbc:postgresql://127.0.0.1:5432/keywarden, or set store: sqlite");
        }
        if (store == SharedConfig.Store.SQLITE && postgresUrl.isPresent()) {
            notices.add("WARN postgres.url is set but store is sqlite: PostgreSQL is not used (set store: postgres to use it)");
        }
        if (store == SharedConfig.Store.POSTGRES && !serverSecretGiven) {
            notices.add("WARN store is postgres but server_secret (KEYWARDEN_SERVER_SECRET) is not set: the secret generated in "
                    + "the data directory serves one instance only; set the same value on every instance");
        }
        int poolSize = values.read(POSTGRES_POOL_SIZE, raw -> {
            int n = Values.positiveInt(raw);
            if (n > 1000) {
                throw new IllegalArgumentException("must be at most 1000");
            }
            return n;
        });
        SharedConfig.State state = values.read(STATE, raw -> switch (lower(raw)) {
            case "local" -> SharedConfig.State.LOCAL;
            case "redis" -> SharedConfig.State.REDIS;
            default -> throw new IllegalArgumentException("must be local (limits in this process) or redis (shared by many instances)");
        });
        String rawRedisUrl = values.get(REDIS_URL);
        if (rawRedisUrl != null && state == SharedConfig.State.LOCAL) {
            notices.add("WARN redis.url is set but state is local: Redis is not used (set state: redis to use it)");
        }
        Optional<URI> redisUrl = state == SharedConfig.State.REDIS
                ? Optional.of(redisUrl(rawRedisUrl != null ? rawRedisUrl : "redis://127.0.0.1:6379"))
                : Optional.ofNullable(rawRedisUrl).map(SharedSection::redisUrl);
        SharedConfig.OnRedisFailure onFailure = values.read(REDIS_ON_FAILURE, raw -> switch (lower(raw)) {
            case "fail-closed" -> SharedConfig.OnRedisFailure.FAIL_CLOSED;
            case "local-fallback" -> SharedConfig.OnRedisFailure.LOCAL_FALLBACK;
            default -> throw new IllegalArgumentException("must be fail-closed (refuse while Redis is unreachable) or local-fallback "
                    + "(rate limits fall back to per-instance limits divided by cluster.instances; budgets still fail closed)");
        });
        int instances = values.read(CLUSTER_INSTANCES, Values::positiveInt);
        if (state == SharedConfig.State.REDIS) {
            notices.add("INFO redis.on_failure " + lower(values.get(REDIS_ON_FAILURE)) + ": while Redis is unreachable budgets refuse"
                    + " requests" + (onFailure == SharedConfig.OnRedisFailure.LOCAL_FALLBACK
                    ? " and request-rate limits fall back to per-instance limits divided by " + instances + " (cluster.instances)"
                    : " and so do request-rate limits"));
        }
        return new SharedConfig(store, postgresUrl, values.text(POSTGRES_USER), values.secret(POSTGRES_PASSWORD), poolSize, state,
                redisUrl, values.secret(REDIS_PASSWORD), onFailure, instances);
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
                    throw Values.error(POSTGRES_URL, "must not contain a " + name + fix);
                }
            }
        }
        String authority = url.startsWith("jdbc:postgresql://") ? url.substring("jdbc:postgresql://".length()).split("[/?]", 2)[0] : "";
        if (authority.contains("@")) {
            throw Values.error(POSTGRES_URL, "must not contain credentials before the host; set postgres.user "
                    + "(KEYWARDEN_POSTGRES_USER)" + fix);
        }
        if (!url.startsWith("jdbc:postgresql://") || authority.isEmpty()) {
            throw Values.error(POSTGRES_URL, "'" + url + "' must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/keywarden");
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
            throw Values.error(REDIS_URL, "must not contain credentials; put it in KEYWARDEN_REDIS_PASSWORD (redis.password) instead");
        }
        if (u == null || u.getScheme() == null || !(u.getScheme().equals("redis") || u.getScheme().equals("rediss"))
                || u.getHost() == null) {
            throw Values.error(REDIS_URL, "'" + url + "' must be a URL such as redis://127.0.0.1:6379 (rediss:// for TLS)");
        }
        if (u.getQuery() != null && u.getQuery().toLowerCase(Locale.ROOT).contains("password")) {
            throw Values.error(REDIS_URL, "must not contain a password; put it in KEYWARDEN_REDIS_PASSWORD (redis.password) instead");
        }
        return u;
    }

    private static String lower(String raw) {
        return raw.strip().toLowerCase(Locale.ROOT);
    }
}
