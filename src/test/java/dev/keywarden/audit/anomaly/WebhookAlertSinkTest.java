package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookAlertSinkTest {

    private record Received(String signature, String contentType, byte[] body) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final String secret = HexFormat.of().formatHex(randomBytes(32));
    private HttpServer server;

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** A receiver answering each POST with the next status of {@code statuses}. */
    private String receiver(IntSupplier statuses) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hooks/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("Keywarden-Signature"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body));
            exchange.sendResponseHeaders(statuses.getAsInt(), -1);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/token-in-path-" + randomBytes(2)[0];
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private AnomalyConfig.Webhook config(String url, String maxAttempts) {
        return Calls.config("alerts.webhook_url", url, "alerts.webhook_secret", secret, "alerts.webhook_backoff", "20ms",
                "alerts.webhook_max_attempts", maxAttempts, "alerts.webhook_timeout", "5s").webhook().orElseThrow();
    }

    private static Alert alert() {
        return new Alert("auth_failures", "client_address:198.51.100.9", Instant.parse("2026-11-02T10:00:00Z"),
                Map.of("failures", "10", "window_seconds", "60"), null);
    }

    private void awaitReceived(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (received.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void receiverGetsAJsonBodyWhoseSignatureVerifiesWithTheSharedSecret() throws Exception {
        String url = receiver(() -> 204);
        Instant sentAt = Instant.parse("2026-11-02T10:00:05Z");
        try (WebhookAlertSink sink = WebhookAlertSink.start(config(url, "5"), Clock.fixed(sentAt, ZoneOffset.UTC))) {
            sink.deliver(alert());
            awaitReceived(1);
        }
        assertThat(received).hasSize(1);
        Received r = received.getFirst();
        assertThat(r.contentType()).isEqualTo("application/json");
        // verified independently of WebhookSignature: t=<unix>,v1=hex(HMAC-SHA-256(secret, t + "." + body))
        assertThat(r.signature()).startsWith("t=" + sentAt.getEpochSecond() + ",v1=");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((sentAt.getEpochSecond() + ".").getBytes(StandardCharsets.US_ASCII));
        String expected = HexFormat.of().formatHex(mac.doFinal(r.body()));
        assertThat(r.signature()).isEqualTo("t=" + sentAt.getEpochSecond() + ",v1=" + expected);
        assertThat(WebhookSignature.verify(secret.getBytes(StandardCharsets.UTF_8), r.signature(), r.body(), sentAt,
                Duration.ofMinutes(5))).isTrue();

        JsonNode json = new ObjectMapper().readTree(r.body());
        assertThat(json.get("type").asText()).isEqualTo("anomaly.auth_failures");
        assertThat(json.get("detector").asText()).isEqualTo("auth_failures");
        assertThat(json.get("subject").asText()).isEqualTo("client_address:198.51.100.9");
        assertThat(json.get("at").asText()).isEqualTo("2026-11-02T10:00:00Z");
        assertThat(json.get("details").get("failures").asText()).isEqualTo("10");
        assertThat(json.get("id").asText()).isNotBlank();
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(secret);
    }

    @Test
    void receiverFailingTwiceGetsTheAlertOnTheThirdTry() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String url = receiver(() -> calls.incrementAndGet() <= 2 ? 503 : 200);
        WebhookAlertSink sink = WebhookAlertSink.start(config(url, "5"), Clock.systemUTC());
        sink.deliver(alert());
        awaitReceived(3);
        sink.close();
        assertThat(received).hasSize(3);
        assertThat(sink.delivered()).isEqualTo(1);
        assertThat(sink.failed()).isZero();
        // the same alert (same id) each time, each attempt signed
        List<String> ids = received.stream().map(r -> json(r.body()).get("id").asText()).distinct().toList();
        assertThat(ids).hasSize(1);
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        assertThat(received).allSatisfy(r ->
                assertThat(WebhookSignature.verify(key, r.signature(), r.body(), Instant.now(), Duration.ofMinutes(5))).isTrue());
    }

    @Test
    void deliveryGivesUpAfterMaxAttemptsWithoutLoggingTheSecretOrTheUrlPath() throws Exception {
        String url = receiver(() -> 500);
        Logger log = (Logger) LoggerFactory.getLogger(WebhookAlertSink.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        log.addAppender(appender);
        try {
            WebhookAlertSink sink = WebhookAlertSink.start(config(url, "3"), Clock.systemUTC());
            sink.deliver(alert());
            sink.close();
            assertThat(received).hasSize(3);
            assertThat(sink.failed()).isEqualTo(1);
        } finally {
            log.detachAppender(appender);
        }
        assertThat(appender.list).isNotEmpty();
        assertThat(appender.list).allSatisfy(e -> {
            assertThat(e.getFormattedMessage()).doesNotContain(secret).doesNotContain("/hooks/");
        });
    }

    @Test
    void clientErrorAnswerIsNotRetried() throws Exception {
        String url = receiver(() -> 400);
        WebhookAlertSink sink = WebhookAlertSink.start(config(url, "5"), Clock.systemUTC());
        sink.deliver(alert());
        sink.close();
        assertThat(received).hasSize(1);
        assertThat(sink.failed()).isEqualTo(1);
    }

    @Test
    void unreachableReceiverIsRetriedWithoutBlockingTheCaller() throws Exception {
        String url = receiver(() -> 200);
        server.stop(0);
        server = null;
        WebhookAlertSink sink = WebhookAlertSink.start(config(url, "3"), Clock.systemUTC());
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            sink.deliver(alert());
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        sink.close();
        assertThat(sink.failed()).isEqualTo(50);
    }

    private static JsonNode json(byte[] body) {
        try {
            return new ObjectMapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
