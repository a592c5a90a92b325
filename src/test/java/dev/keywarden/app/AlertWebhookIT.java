package dev.keywarden.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.anomaly.WebhookSignature;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.KeyVault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every ALERT-class security event a serving gateway raises leaves the host: it reaches the configured
 * alert webhook, signed ({@code Keywarden-Signature}, checked here with the shared secret), and it is in
 * the audit trail. One test per event kind, each raised by the real producer through a real gateway;
 * an in-test HTTP receiver plays the webhook.
 */
class AlertWebhookIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Received(String signature, byte[] body) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final String secret = "webhook-secret-" + TestKeys.random(40);
    private HttpServer receiver;
    private TestGateway gw;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER), body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        receiver.stop(0);
    }

    private Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARDEN_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/t0k3n");
        env.put("KEYWARDEN_ALERTS_WEBHOOK_SECRET", secret);
        env.put("KEYWARDEN_ALERTS_WEBHOOK_BACKOFF", "20ms");
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    /** The first alert of {@code type} the receiver got, after checking its signature; waits up to 10 s. */
    private JsonNode awaitAlert(String type) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (Received r : received) {
                JsonNode body = JSON.readTree(r.body());
                if (type.equals(body.path("type").asText())) {
                    assertThat(WebhookSignature.verify(secret.getBytes(StandardCharsets.UTF_8), r.signature(), r.body(),
                            Instant.now(), Duration.ofMinutes(5))).as("signature of %s", type).isTrue();
                    assertThat(body.path("source").asText()).isEqualTo("keywarden");
                    assertThat(body.path("id").asText()).isNotBlank();
                    return body;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + type + " alert reached the webhook within 10 s; got " + received.size() + " other(s)");
    }

    /** Closes the gateway (draining the trail) and returns the types of the ALERT events stored in it. */
    private List<String> alertsInTrail() throws Exception {
        gw.gateway.close();
        List<String> types = new ArrayList<>();
        try (Database db = Database.openSqlite(gw.dataDir)) {
            new AuditStore(db).forEachSince("", r -> {
                try {
                    JsonNode body = JSON.readTree(r.body());
                    if (body.path("alert").asBoolean()) {
                        types.add(body.path("type").asText());
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        return types;
    }

    private void assertNoSecretIn(String... secrets) {
        for (Received r : received) {
            String text = new String(r.body(), StandardCharsets.UTF_8);
            for (String s : secrets) {
                assertThat(text).doesNotContain(s);
            }
        }
    }

    @Test
    void providerKeyRejectedUpstream() throws Exception {
        gw = TestGateway.withWrongProviderKey(env());
        assertThat(gw.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(503);
        JsonNode alert = awaitAlert("provider_key.rejected");
        assertThat(alert.path("subject").asText()).isEqualTo("ANTHROPIC_API_KEY");
        assertThat(alert.at("/details/status").asText()).isEqualTo("401");
        assertNoSecretIn(gw.providerKey, secret);
        assertThat(alertsInTrail()).contains("provider_key.rejected");
    }

    @Test
    void vaultProviderKeyCompromised() throws Exception {
        gw = TestGateway.start(env("KEYWARDEN_VAULT_KEK", "passphrase",
                "KEYWARDEN_VAULT_PASSPHRASE", "correct horse " + TestKeys.random(16)));
        gw.upstream.rejectKey(gw.providerKey);
        assertThat(gw.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(503);
        JsonNode alert = awaitAlert("provider_key.compromised");
        assertThat(alert.path("subject").asText()).startsWith("pk_");
        JsonNode ready = JSON.readTree(gw.send(HttpRequest.newBuilder(gw.uri("/readyz")).GET().build()).body());
        assertThat(ready.at("/reasons/provider_keys").asText()).as("no backup key left: /readyz says so")
                .startsWith("no usable provider key for environment dev (1 compromised)");
        assertNoSecretIn(gw.providerKey, secret);
        assertThat(alertsInTrail()).contains("provider_key.compromised");
    }

    @Test
    void vaultUnsealFailure() throws Exception {
        String passphrase = "correct horse " + TestKeys.random(16);
        Path dir;
        try (TestGateway first = TestGateway.start(Map.of("KEYWARDEN_VAULT_KEK", "passphrase",
                "KEYWARDEN_VAULT_PASSPHRASE", passphrase))) {
            dir = first.dataDir;
        }
        gw = TestGateway.startIn(dir, env("KEYWARDEN_VAULT_KEK", "passphrase"));
        KeyVault vault = gw.gateway.vault().orElseThrow();
        assertThat(vault.isSealed()).isTrue();
        assertThatThrownBy(() -> vault.unseal("not the passphrase at all".toCharArray())).isInstanceOf(RuntimeException.class);
        JsonNode alert = awaitAlert("vault.unseal_failed");
        assertThat(alert.path("subject").asText()).isEqualTo("vault");
        assertNoSecretIn(passphrase, "not the passphrase at all", secret);
        assertThat(alertsInTrail()).contains("vault.unseal_failed");
    }

    @Test
    void addressLockout() throws Exception {
        gw = TestGateway.start(env("KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "3"));
        for (int i = 0; i < 3; i++) {
            gw.send(gw.request("/v1/messages").setHeader("x-api-key", "kw_wrong_" + i)
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("x", false))).build());
        }
        JsonNode alert = awaitAlert("auth.lockout");
        assertThat(alert.path("subject").asText()).contains("127.0.0.1");
        assertThat(alertsInTrail()).contains("auth.lockout");
    }

    @Test
    void budgetSoftThresholdAndExhausted() throws Exception {
        gw = TestGateway.start(env("KEYWARDEN_TIERS_FREE_DAILY_BUDGET_USD", "0.000001"));
        assertThat(gw.postMessages(TestGateway.messageBody("spend", false)).statusCode()).isEqualTo(200);
        assertThat(awaitAlert("budget.soft_threshold").path("subject").asText()).isNotBlank();
        assertThat(gw.postMessages(TestGateway.messageBody("over budget", false)).statusCode()).isEqualTo(402);
        assertThat(awaitAlert("budget.exhausted").path("subject").asText()).isNotBlank();
        assertThat(alertsInTrail()).contains("budget.soft_threshold", "budget.exhausted");
    }

    @Test
    void anomalyAlert() throws Exception {
        gw = TestGateway.start(env("KEYWARDEN_ANOMALY_AUTH_FAILURE_THRESHOLD", "3"));
        for (int i = 0; i < 4; i++) {
            gw.send(gw.request("/v1/messages").setHeader("x-api-key", "kw_wrong_" + i)
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("x", false))).build());
        }
        JsonNode alert = awaitAlert("anomaly.auth_failures");
        assertThat(alert.path("detector").asText()).isEqualTo("auth_failures");
        assertThat(alert.at("/details/failures").asText()).isNotBlank();
        assertThat(alert.at("/details/detected_at").isMissingNode()).as("the anomaly body keeps its documented shape").isTrue();
        assertThat(alertsInTrail()).contains("anomaly.auth_failures");
        assertThat(received.stream().filter(r -> new String(r.body(), StandardCharsets.UTF_8).contains("anomaly.auth_failures")))
                .as("sent once, not once by the detector and once by the router").hasSize(1);
    }

    @Test
    void vaultProviderKeyUnreadable() throws Exception {
        String passphrase = "correct horse " + TestKeys.random(16);
        Path dir;
        String stored;
        try (TestGateway first = TestGateway.start(Map.of("KEYWARDEN_VAULT_KEK", "passphrase",
                "KEYWARDEN_VAULT_PASSPHRASE", passphrase))) {
            dir = first.dataDir;
            stored = first.providerKey;
        }
        try (Database db = Database.openSqlite(dir);
             java.sql.Connection c = db.dataSource().getConnection();
             java.sql.Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("UPDATE provider_keys SET ciphertext = randomblob(length(ciphertext))")).isEqualTo(1);
        }
        // the same ANTHROPIC_API_KEY as before: already in the vault, so it is not imported again as a second key
        gw = TestGateway.startIn(dir, env("KEYWARDEN_VAULT_KEK", "passphrase", "KEYWARDEN_VAULT_PASSPHRASE", passphrase,
                "ANTHROPIC_API_KEY", stored));
        assertThat(gw.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(503);
        JsonNode alert = awaitAlert("provider_key.unreadable");
        assertThat(alert.path("subject").asText()).startsWith("pk_");
        assertNoSecretIn(passphrase, stored, secret);
        assertThat(alertsInTrail()).contains("provider_key.unreadable");
    }

    @Test
    void sharedStateBackendDown() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/redis-server"))
                || java.nio.file.Files.isExecutable(Path.of("/usr/local/bin/redis-server")), "redis-server is not installed");
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // a private redis-server this test stops (the shared one is left alone)
        Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
                    break;
                } catch (java.io.IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(50);
                }
            }
            gw = TestGateway.start(env("KEYWARDEN_LIMITS", "on", "KEYWARDEN_STATE", "redis",
                    "KEYWARDEN_REDIS_URL", "redis://127.0.0.1:" + port, "KEYWARDEN_REDIS_ON_FAILURE", "fail-closed",
                    "KEYWARDEN_TIERS_FREE_DAILY_BUDGET_USD", "0", "KEYWARDEN_TIERS_FREE_MONTHLY_BUDGET_USD", "0"));
            assertThat(gw.postMessages(TestGateway.messageBody("up", false)).statusCode()).isEqualTo(200);
            redis.destroy();
            redis.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(gw.postMessages(TestGateway.messageBody("down", false)).statusCode()).isEqualTo(503);
            JsonNode alert = awaitAlert("rate_limits.shared_state_unavailable");
            assertThat(alert.path("subject").asText()).isEqualTo("redis");
            assertThat(alert.at("/details/on_failure").asText()).isEqualTo("fail-closed");
            assertThat(alertsInTrail()).contains("rate_limits.shared_state_unavailable");
        } finally {
            redis.destroy();
        }
    }

    @Test
    void webSignInLockout() throws Exception {
        gw = TestGateway.start(env("KEYWARDEN_LOGIN_FAILURES_PER_ACCOUNT", "3"));
        for (int i = 0; i < 3; i++) {
            gw.gateway.users().users().signIn("mallory-target", "wrong password!!".toCharArray(), "203.0.113." + i);
        }
        JsonNode alert = awaitAlert("user.login_lockout");
        assertThat(alert.at("/details/by").asText()).isNotBlank();
        assertNoSecretIn("wrong password!!", secret);
        assertThat(alertsInTrail()).contains("user.login_lockout");
    }
}
