package dev.keywarden.web;

import dev.keywarden.store.Dialect;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.users.Role;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static dev.keywarden.web.WebTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared mode (PostgreSQL + Redis): a session opened on one instance is served by another, and a sign-out, an admin
 * revocation or a password reset made on either is seen by the other on its next request.
 */
class SharedSessionsIT {

    static final String PASSWORD = "violet tractor anthem";
    static TestDatabases postgres;
    static String serverSecret;

    @BeforeAll
    static void start() {
        postgres = TestDatabases.start(Dialect.POSTGRESQL);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        serverSecret = Base64.getEncoder().encodeToString(secret);
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    static Map<String, String> sharedEnv() {
        Map<String, String> env = new HashMap<>(Map.of("KEYWARDEN_STORE", "postgres",
                "KEYWARDEN_POSTGRES_URL", postgres.postgresUrl(), "KEYWARDEN_POSTGRES_USER", Services.postgresUser(),
                "KEYWARDEN_POSTGRES_POOL_SIZE", "4", "KEYWARDEN_SERVER_SECRET", serverSecret));
        env.put("KEYWARDEN_STATE", "redis");
        env.put("KEYWARDEN_REDIS_URL", Services.redisUrl().toString());
        return env;
    }

    @Test
    void sessionsAndTheirRevocationAreSharedByEveryInstance() throws Exception {
        Services.assumeRedis();
        try (TestGateway a = TestGateway.start(sharedEnv()); TestGateway b = TestGateway.start(sharedEnv())) {
            User u = a.gateway.users().users().add(new UserService.NewUser("shared-" + Long.toHexString(System.nanoTime()), null,
                    Role.USER, null, null, null), PASSWORD.toCharArray(), "test");

            Browser one = new Browser();
            assertThat(one.post(a.uri("/api/session"), Browser.signInBody(u.username(), PASSWORD)).statusCode()).isEqualTo(200);
            HttpResponse<String> onB = one.get(b.uri("/api/session"));
            assertThat(onB.statusCode()).as("a session opened on A is served by B").isEqualTo(200);
            String csrf = json(onB).get("csrf_token").asText();

            // sign-out on B ends it on A
            assertThat(one.delete(b.uri("/api/session"), "x-csrf-token", csrf).statusCode()).isEqualTo(200);
            Browser replay = new Browser();
            replay.cookies.putAll(Map.of("kw_session", one.setCookies.get(0).split(";")[0].split("=", 2)[1]));
            assertThat(replay.get(a.uri("/api/session")).statusCode()).isEqualTo(401);

            // an admin revocation on A ends sessions B serves
            Browser two = new Browser();
            assertThat(two.post(b.uri("/api/session"), Browser.signInBody(u.username(), PASSWORD)).statusCode()).isEqualTo(200);
            assertThat(two.get(a.uri("/api/session")).statusCode()).isEqualTo(200);
            a.gateway.users().sessions().revokeAll(u.id(), "admin_revoked");
            assertThat(two.get(b.uri("/api/session")).statusCode()).isEqualTo(401);

            // a password reset on B ends sessions A serves
            Browser three = new Browser();
            assertThat(three.post(a.uri("/api/session"), Browser.signInBody(u.username(), PASSWORD)).statusCode()).isEqualTo(200);
            b.gateway.users().users().resetPassword(u.id(), "orange kayak lantern".toCharArray(), "test");
            assertThat(three.get(a.uri("/api/session")).statusCode()).isEqualTo(401);
            assertThat(three.get(b.uri("/api/session")).statusCode()).isEqualTo(401);
        }
    }
}
