package dev.keywarden.audit.anomaly;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTest {

    private final byte[] secret = new byte[32];
    private final byte[] body = "{\"type\":\"anomaly.rate_spike\"}".getBytes(StandardCharsets.UTF_8);
    private final Instant now = Instant.parse("2026-11-02T10:00:00Z");

    WebhookSignatureTest() {
        new SecureRandom().nextBytes(secret);
    }

    @Test
    void signatureOfTheBodyVerifies() {
        String header = WebhookSignature.header(secret, now.getEpochSecond(), body);
        assertThat(WebhookSignature.verify(secret, header, body, now.plusSeconds(30), Duration.ofMinutes(5))).isTrue();
    }

    @Test
    void alteredBodyFailsToVerify() {
        String header = WebhookSignature.header(secret, now.getEpochSecond(), body);
        byte[] altered = "{\"type\":\"anomaly.rate_spikf\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSignature.verify(secret, header, altered, now, Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void otherSecretFailsToVerify() {
        String header = WebhookSignature.header(secret, now.getEpochSecond(), body);
        byte[] other = secret.clone();
        other[0] ^= 1;
        assertThat(WebhookSignature.verify(other, header, body, now, Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void replayedSignatureOutsideTheToleranceFailsToVerify() {
        String header = WebhookSignature.header(secret, now.getEpochSecond(), body);
        assertThat(WebhookSignature.verify(secret, header, body, now.plus(Duration.ofMinutes(6)), Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void timestampMovedToAnotherTimeFailsToVerify() {
        String header = WebhookSignature.header(secret, now.getEpochSecond(), body);
        String moved = header.replace("t=" + now.getEpochSecond(), "t=" + (now.getEpochSecond() + 1));
        assertThat(WebhookSignature.verify(secret, moved, body, now, Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void malformedHeadersFailToVerify() {
        assertThat(WebhookSignature.verify(secret, null, body, now, Duration.ofMinutes(5))).isFalse();
        assertThat(WebhookSignature.verify(secret, "v1=00", body, now, Duration.ofMinutes(5))).isFalse();
        assertThat(WebhookSignature.verify(secret, "t=abc,v1=00", body, now, Duration.ofMinutes(5))).isFalse();
        assertThat(WebhookSignature.verify(secret, "t=" + now.getEpochSecond() + ",v1=zz", body, now, Duration.ofMinutes(5))).isFalse();
    }
}
