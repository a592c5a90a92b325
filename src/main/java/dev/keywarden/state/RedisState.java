package dev.keywarden.state;

import dev.keywarden.config.Secret;
import dev.keywarden.config.SharedConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection to the Redis server that holds the state several gateway instances share: rate
 * limits ({@code RedisRateLimiter}) and budget spend ({@code RedisSpendLedger}), both built on {@link #connection()}.
 *
 * <p>Guarantees: {@link #connect} returns only after Redis answered a {@code PING}, otherwise it
 * throws a one-line {@link StateException} naming {@code redis.url}, the URL and the fix. While
 * Redis is unreachable later, commands fail at once instead of queueing (so callers can fail
 * closed), the connection reconnects by itself, and {@link #isHealthy()} answers false within the
 * health timeout. The password is handed to the client only and never appears in a message or in
 * {@link #toString()}.
 */
public final class RedisState implements AutoCloseable {

    /** How long opening the TCP connection may take. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long one command may take before it fails. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(1);

    private final URI url;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private RedisState(URI url, ClientResources resources, RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.url = url;
        this.resources = resources;
        this.client = client;
        this.connection = connection;
    }

    /** Connects to {@code redis.url} with {@code redis.password}, as configured. */
    public static RedisState connect(SharedConfig config) {
        URI url = config.redisUrl().orElseThrow(() -> new IllegalStateException("state redis without redis.url"));
        return connect(url, config.redisPassword(), CONNECT_TIMEOUT, COMMAND_TIMEOUT);
    }

    /**
     * Connects to {@code url} and checks that Redis answers.
     *
     * @param url            {@code redis://host:port[/db]} or {@code rediss://…}, without credentials
     * @param password       the Redis password (AUTH), if Redis requires one
     * @param connectTimeout how long opening the connection may take
     * @param commandTimeout how long one command may take
     * @throws StateException when Redis cannot be reached, refuses the password or does not answer
     */
    public static RedisState connect(URI url, Optional<Secret> password, Duration connectTimeout, Duration commandTimeout) {
        RedisURI.Builder target = RedisURI.builder(RedisURI.create(url)).withTimeout(commandTimeout);
        password.ifPresent(p -> target.withPassword(p.reveal().toCharArray()));
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        RedisClient client = RedisClient.create(resources, target.build());
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        StatefulRedisConnection<String, String> connection = null;
        try {
            connection = client.connect();
            String pong = connection.sync().ping();
            if (!"PONG".equals(pong)) {
                throw new IllegalStateException("PING answered " + pong);
            }
            return new RedisState(url, resources, client, connection);
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            shutdown(client, resources);
            throw new StateException("redis.url: cannot reach " + url + " (" + reason(e) + "): start Redis"
                    + (password.isEmpty() && reason(e).contains("NOAUTH") ? ", set KEYWARDEN_REDIS_PASSWORD" : "")
                    + " or set state: local", e);
        }
    }

    /** The connection for state operations; thread-safe, shared by all callers. Do not close it. */
    public StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    /** The Redis URL (no credentials), for messages. */
    public URI url() {
        return url;
    }

    /**
     * Sends {@code PING} and waits at most about a second.
     *
     * @return true when Redis answered {@code PONG}; false when it is unreachable, slow or closed
     */
    public boolean isHealthy() {
        if (!connection.isOpen()) {
            return false;
        }
        try {
            return "PONG".equals(connection.async().ping().get(HEALTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        }
    }

    /** Closes the connection and the client's threads. Idempotent. */
    @Override
    public void close() {
        connection.close();
        shutdown(client, resources);
    }

    private static void shutdown(RedisClient client, ClientResources resources) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** The innermost message, one line: it names host and port or the Redis error, never the password. */
    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getMessage() != null ? e.getMessage() : t.getClass().getSimpleName();
        }
        return m.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    @Override
    public String toString() {
        return "RedisState[" + url + "]";
    }
}
