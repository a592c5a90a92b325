package dev.keywarden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.keywarden.audit.anomaly.WebhookAlertSink;
import dev.keywarden.audit.anomaly.WebhookSignature;
import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.testing.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The router every producer records security events into: every event to the log and the trail, every
 * ALERT-class one also to the signed webhook (deduplicated per type and subject, retried), then to the
 * observer. The webhook is a real {@link WebhookAlertSink} posting to an in-test receiver.
 */
class SecurityEventRouterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String secret = "webhook-secret-" + TestKeys.random(40);
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private final List<String> signatures = new CopyOnWriteArrayList<>();
    private final AtomicInteger failFirst = new AtomicInteger();
    private final List<SecurityEvent> logged = new CopyOnWriteArrayList<>();
    private final List<SecurityEvent> trail = new CopyOnWriteArrayList<>();
    private HttpServer receiver;
    private SecurityEventRouter router;

    private SecurityEventRouter router(Duration cooldown) throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = failFirst.getAndDecrement() > 0 ? 503 : 204;
            bodies.add(body);
            signatures.add(exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        AnomalyConfig config = ConfigLoader.from(Map.of(
                "KEYWARDEN_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "KEYWARDEN_ALERTS_WEBHOOK_SECRET", secret, "KEYWARDEN_ALERTS_WEBHOOK_BACKOFF", "20ms",
                "KEYWARDEN_DATA_DIR", Files.createTempDirectory("kw-router-").toString()), Files.createTempDirectory("kw-router-"))
                .load().anomaly();
        router = new SecurityEventRouter(logged::add, trail::add,
                Optional.of(WebhookAlertSink.start(config.webhook().orElseThrow(), Clock.systemUTC())), cooldown);
        return router;
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private void awaitBodies(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (bodies.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"provider_key.compromised", "provider_key.unreadable", "provider_key.rejected", "vault.unseal_failed",
            "vault.sealed", "rate_limits.shared_state_unavailable", "budget.soft_threshold", "budget.exhausted", "auth.lockout",
            "user.login_lockout", "provider_key.rotation_failed"})
    void anAlertGoesToTheLogTheTrailAndSignedToTheWebhook(String type) throws Exception {
        router(Duration.ofMinutes(15)).record(SecurityEvent.alert(type, "subject-1", Map.of("reason", "test")));
        awaitBodies(1);
        assertThat(logged).extracting(SecurityEvent::type).containsExactly(type);
        assertThat(trail).extracting(SecurityEvent::type).containsExactly(type);
        assertThat(bodies).hasSize(1);
        assertThat(WebhookSignature.verify(secret.getBytes(StandardCharsets.UTF_8), signatures.get(0), bodies.get(0), Instant.now(),
                Duration.ofMinutes(5))).isTrue();
        JsonNode body = JSON.readTree(bodies.get(0));
        assertThat(body.path("type").asText()).isEqualTo(type);
        assertThat(body.path("subject").asText()).isEqualTo("subject-1");
        assertThat(body.at("/details/reason").asText()).isEqualTo("test");
    }

    @Test
    void anEventThatIsNotAnAlertStaysOnTheHost() throws Exception {
        router(Duration.ofMinutes(15)).record(SecurityEvent.of("provider_key.added", "pk_1", Map.of()));
        router.record(SecurityEvent.alert("vault.sealed", "vault", Map.of()));
        awaitBodies(1);
        Thread.sleep(200);
        assertThat(trail).extracting(SecurityEvent::type).containsExactly("provider_key.added", "vault.sealed");
        assertThat(bodies).extracting(b -> JSON.readTree(b).path("type").asText()).containsExactly("vault.sealed");
    }

    @Test
    void theSameAlertTypeAndSubjectIsSentOncePerCooldownButRecordedEveryTime() throws Exception {
        router(Duration.ofMinutes(15));
        for (int i = 0; i < 3; i++) {
            router.record(SecurityEvent.alert("auth.lockout", "198.51.100.7", Map.of()));
        }
        router.record(SecurityEvent.alert("auth.lockout", "198.51.100.8", Map.of()));
        awaitBodies(2);
        Thread.sleep(200);
        assertThat(trail).hasSize(4);
        assertThat(bodies).extracting(b -> JSON.readTree(b).path("subject").asText())
                .containsExactlyInAnyOrder("198.51.100.7", "198.51.100.8");
    }

    @Test
    void aFailedDeliveryIsRetriedWithTheSameId() throws Exception {
        failFirst.set(2);
        router(Duration.ofMinutes(15)).record(SecurityEvent.alert("vault.unseal_failed", "vault", Map.of()));
        awaitBodies(3);
        assertThat(bodies).hasSize(3);
        assertThat(bodies).extracting(b -> JSON.readTree(b).path("id").asText()).containsOnly(JSON.readTree(bodies.get(0)).path("id").asText());
    }

    @Test
    void aFailingRecorderDoesNotKeepTheEventFromTheOthers() throws Exception {
        List<SecurityEvent> observed = new CopyOnWriteArrayList<>();
        router = new SecurityEventRouter(e -> {
            throw new IllegalStateException("log down");
        }, trail::add, Optional.empty(), Duration.ofMinutes(1));
        router.observeWith(observed::add);
        router.record(SecurityEvent.alert("budget.exhausted", "principal:alice", Map.of()));
        assertThat(trail).hasSize(1);
        assertThat(observed).hasSize(1);
        assertThat(router.alertTarget()).isEmpty();
    }
}
