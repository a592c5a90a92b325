package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.keywarden.audit.anomaly.WebhookSignature;
import dev.keywarden.cli.CliRunner.Run;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code keywarden audit anchor --reset} is an alert-class event: besides the audit trail, the CLI sends it to the
 * configured alert webhook, signed like a running gateway's alerts (in-test receiver, as {@code AlertWebhookIT}).
 */
class AuditAnchorResetAlertIT {

    @Test
    void anAnchorResetFromTheCliReachesTheWebhookSignedAndNamesNoSecret() throws Exception {
        LinkedBlockingQueue<String[]> received = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.add(new String[] {ex.getRequestHeaders().getFirst(WebhookSignature.HEADER), new String(body, StandardCharsets.UTF_8)});
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        String secret = "webhook-secret-" + TestKeys.random(40);
        try {
            Path dir;
            try (TestGateway gw = TestGateway.start(Map.of())) {
                dir = gw.dataDir;
                AuditAnchorIT.calls(gw, 1);
            }
            Run reset = CliRunner.run(Map.of(
                            "KEYWARDEN_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                            "KEYWARDEN_ALERTS_WEBHOOK_SECRET", secret),
                    "audit", "anchor", "--reset", "--data-dir", dir.toString());
            assertThat(reset.exitCode()).as(reset.all()).isZero();
            assertThat(reset.out()).contains("audit.anchor_reset").contains("sent to the alert webhook");

            String[] alert = received.poll(20, TimeUnit.SECONDS);
            assertThat(alert).as("the webhook was called").isNotNull();
            assertThat(alert[1]).contains("\"type\":\"audit.anchor_reset\"").contains("\"subject\":\"main\"")
                    .contains("previous_anchor").doesNotContain(secret);
            assertThat(WebhookSignature.verify(secret.getBytes(StandardCharsets.UTF_8), alert[0],
                    alert[1].getBytes(StandardCharsets.UTF_8), Instant.now(), Duration.ofMinutes(5))).isTrue();
            assertThat(reset.all()).doesNotContain(secret);
        } finally {
            receiver.stop(0);
        }
    }
}
