package dev.keywarden.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.junit.jupiter.api.Assumptions;

/**
 * The external services some tests need (PostgreSQL, Redis) and what happens when one is absent:
 * the test is skipped (a JUnit assumption), unless {@code KEYWARDEN_REQUIRE_SERVICES=1} is set (as
 * in CI), in which case it fails with a message saying which service is missing and how to start it.
 *
 * <p>Where they are: {@code KEYWARDEN_TEST_POSTGRES_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}) as {@code KEYWARDEN_TEST_POSTGRES_USER} (default
 * {@code postgres}, trust authentication), and {@code KEYWARDEN_TEST_REDIS_URL} (default
 * {@code redis://127.0.0.1:6379}).
 */
public final class Services {

    /** Set to 1 to turn a missing service from a skip into a failure. */
    public static final String REQUIRE = "KEYWARDEN_REQUIRE_SERVICES";

    private static final int PROBE_TIMEOUT_MILLIS = 500;

    private Services() {
    }

    /** The JDBC URL of the test database, without a schema. */
    public static String postgresUrl() {
        return env("KEYWARDEN_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    public static String postgresUser() {
        return env("KEYWARDEN_TEST_POSTGRES_USER", "postgres");
    }

    public static URI redisUrl() {
        return URI.create(env("KEYWARDEN_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
    }

    /** Skips the calling test when PostgreSQL does not answer (fails instead when services are required). */
    public static void assumePostgres() {
        URI u = URI.create(postgresUrl().substring("jdbc:".length()));
        assume("PostgreSQL", u.getHost(), u.getPort() > 0 ? u.getPort() : 5432,
                "start it (pg_ctlcluster --skip-systemctl-redirect <version> main start) or point KEYWARDEN_TEST_POSTGRES_URL at one");
    }

    /** Skips the calling test when Redis does not answer (fails instead when services are required). */
    public static void assumeRedis() {
        URI u = redisUrl();
        assume("Redis", u.getHost(), u.getPort() > 0 ? u.getPort() : 6379,
                "start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\") or point KEYWARDEN_TEST_REDIS_URL at one");
    }

    /** Whether services are required ({@code KEYWARDEN_REQUIRE_SERVICES=1}). */
    public static boolean required() {
        String v = System.getenv(REQUIRE);
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }

    private static void assume(String service, String host, int port, String fix) {
        if (reachable(host, port)) {
            return;
        }
        String message = service + " is not reachable at " + host + ":" + port + ": " + fix;
        if (required()) {
            throw new AssertionError(message + " (" + REQUIRE + "=1 makes this a failure instead of a skip)");
        }
        Assumptions.abort(message + " — skipped; set " + REQUIRE + "=1 to fail instead");
    }

    static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
