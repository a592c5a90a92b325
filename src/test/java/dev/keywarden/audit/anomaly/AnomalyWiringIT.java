package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import com.sun.net.httpserver.HttpServer;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Anomaly settings reach the gateway, and a burst of bad credentials ends as a signed webhook call. */
class AnomalyWiringIT {

    @TempDir
    Path dir;

    @Test
    void anomalySettingsComeFromTheConfigFileAndTheEnvironment() throws Exception {
        Path yaml = dir.resolve("keywarden.yaml");
        Files.writeString(yaml, "anomaly:\n  rate_spike_factor: 4\nalerts:\n  webhook_timeout: 3s\n"
                + "  webhook_url: https://alerts.example.com/hook\n");
        KeywardenConfig c = ConfigLoader.from(Map.of("KEYWARDEN_ANOMALY_AUTH_FAILURE_THRESHOLD", "7",
                "KEYWARDEN_ALERTS_WEBHOOK_SECRET", "whsec-" + "x".repeat(40)), dir).configFile(yaml).load();
        AnomalyConfig anomaly = c.anomaly();
        assertThat(anomaly.rateSpike().factor()).isEqualTo(4.0);
        assertThat(anomaly.webhook().orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(anomaly.authFailures().threshold()).isEqualTo(7);
    }

    @Test
    void aBadAnomalySettingStopsStartUpNamingIt() {
        assertThatThrownBy(() -> TestGateway.start(Map.of("KEYWARDEN_ANOMALY_RATE_SPIKE_FACTOR", "lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("anomaly.rate_spike_factor");
    }

    @Test
    void aBurstOfBadCredentialsRaisesASignedWebhookAlert() throws Exception {
        LinkedBlockingQueue<String[]> received = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.add(new String[] {ex.getRequestHeaders().getFirst(WebhookSignature.HEADER), new String(body, StandardCharsets.UTF_8)});
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        String secret = "whsec-" + "x".repeat(40);
        try (TestGateway gw = TestGateway.start(Map.of(
                "KEYWARDEN_ANOMALY_AUTH_FAILURE_THRESHOLD", "3",
                "KEYWARDEN_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "KEYWARDEN_ALERTS_WEBHOOK_SECRET", secret))) {
            for (int i = 0; i < 5; i++) {
                gw.send(gw.request("/v1/messages").setHeader("x-api-key", "kw_wrong_" + i)
                        .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("x", false))).build());
            }
            String[] alert = received.poll(20, TimeUnit.SECONDS);
            assertThat(alert).as("webhook called").isNotNull();
            assertThat(alert[1]).contains("auth_failure");
            assertThat(WebhookSignature.verify(secret.getBytes(StandardCharsets.UTF_8), alert[0],
                    alert[1].getBytes(StandardCharsets.UTF_8), Instant.now(), Duration.ofMinutes(5))).isTrue();
            assertThat(alert[1]).doesNotContain(secret).doesNotContain("kw_wrong_");
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void aBackendOverspendingAShortLivedTokenRaisesNoAuthFailureAlertButGuessesDo() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try (TestGateway gw = TestGateway.start(Map.of(
                "KEYWARDEN_ANOMALY_AUTH_FAILURE_THRESHOLD", "3",
                "KEYWARDEN_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "KEYWARDEN_ALERTS_WEBHOOK_SECRET", "whsec-" + "y".repeat(40)))) {
            java.net.http.HttpResponse<byte[]> minted = gw.send(gw.request("/v1/keywarden/tokens").setHeader("x-api-key", gw.virtualKey)
                    .setHeader("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"max_uses\":1}")).build());
            assertThat(minted.statusCode()).isEqualTo(201);
            String token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(minted.body()).get("token").asText();
            for (int i = 0; i < 8; i++) {
                gw.send(gw.request("/v1/messages").setHeader("x-api-key", token)
                        .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("x", false))).build());
            }
            var record = gw.awaitRecord(r -> r.status() == 401 && "unusable".equals(r.authFailure()));
            assertThat(record.identity()).isNull();
            String early = received.poll(3, TimeUnit.SECONDS);
            assertThat(early).as("seven 401s for a spent token raise no auth-failure alert").satisfiesAnyOf(
                    a -> assertThat(a).isNull(), a -> assertThat(a).doesNotContain(AuthFailureBurstDetector.NAME));

            for (int i = 0; i < 3; i++) {
                gw.send(gw.request("/v1/messages").setHeader("x-api-key", "kw_wrong_" + i)
                        .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("x", false))).build());
            }
            String alert = received.poll(20, TimeUnit.SECONDS);
            while (alert != null && !alert.contains(AuthFailureBurstDetector.NAME)) {
                alert = received.poll(20, TimeUnit.SECONDS);
            }
            assertThat(alert).as("three unknown keys raise the alert").isNotNull();
        } finally {
            receiver.stop(0);
        }
    }
}
