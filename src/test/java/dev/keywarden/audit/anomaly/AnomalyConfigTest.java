package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnomalyConfigTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-test-only"; // keywarden:allow (a test-only webhook secret)

    @Test
    void defaultsAreDocumentedValues() {
        AnomalyConfig c = AnomalyConfig.defaults();
        assertThat(c.enabled()).isTrue();
        assertThat(c.suspendKey()).isFalse();
        assertThat(c.suspendOn()).isEqualTo(AnomalyConfig.DETECTORS);
        assertThat(c.warmUp()).isEqualTo(Duration.ofDays(7));
        assertThat(c.queueSize()).isEqualTo(10_000);
        assertThat(c.cooldown()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.rateSpike()).isEqualTo(new AnomalyConfig.RateSpike(5.0, 60, 60, 30));
        assertThat(c.authFailures()).isEqualTo(new AnomalyConfig.AuthFailures(10, Duration.ofMinutes(1)));
        assertThat(c.newAddress()).isEqualTo(new AnomalyConfig.NewAddress(Duration.ofDays(7), 64));
        assertThat(c.unusualHours()).isEqualTo(new AnomalyConfig.UnusualHours(500, Duration.ofDays(7), 0.002, java.time.ZoneId.of("UTC")));
        assertThat(c.tokens()).isEqualTo(new AnomalyConfig.Tokens(10, 20_000, 50, 0, 5, 200_000, 24, 0));
        assertThat(c.webhook()).isEmpty();
    }

    @Test
    void settingsOverrideDefaultsAndOtherKeysAreIgnored() {
        AnomalyConfig c = Calls.config("anomaly.rate_spike_factor", "3.5", "anomaly.auth_failure_window", "30s",
                "anomaly.new_address_learning", "2d", "anomaly.suspend_key", "true", "audit.mode", "strict",
                "anomaly.tokens_per_hour_max", "1_000_000", "anomaly.alert_cooldown", " ");
        assertThat(c.rateSpike().factor()).isEqualTo(3.5);
        assertThat(c.authFailures().window()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.newAddress().learning()).isEqualTo(Duration.ofDays(2));
        assertThat(c.suspendKey()).isTrue();
        assertThat(c.tokens().hourCeiling()).isEqualTo(1_000_000);
        assertThat(c.cooldown()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void webhookNeedsAnHttpUrlAndALongSecret() {
        AnomalyConfig c = Calls.config("alerts.webhook_url", "https://alerts.example.com/hooks/kw", "alerts.webhook_secret", SECRET);
        AnomalyConfig.Webhook w = c.webhook().orElseThrow();
        assertThat(w.url().toString()).isEqualTo("https://alerts.example.com/hooks/kw");
        assertThat(w.maxAttempts()).isEqualTo(5);
        assertThat(w.initialBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(w.toString()).doesNotContain(SECRET).doesNotContain("/hooks/kw");
        assertThat(c.toString()).doesNotContain(SECRET);

        assertThatThrownBy(() -> Calls.config("alerts.webhook_url", "https://alerts.example.com/x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("alerts.webhook_secret (KEYWARDEN_ALERTS_WEBHOOK_SECRET): required when alerts.webhook_url is set");
        assertThatThrownBy(() -> Calls.config("alerts.webhook_url", "https://alerts.example.com/x", "alerts.webhook_secret", "short-secret"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.webhook_secret").hasMessageContaining("at least 32")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short-secret"));
        assertThatThrownBy(() -> Calls.config("alerts.webhook_url", "ftp://x/token123", "alerts.webhook_secret", SECRET))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("alerts.webhook_url (KEYWARDEN_ALERTS_WEBHOOK_URL): must be an http(s) URL")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("token123"));
    }

    @Test
    void badValueIsOneLineNamingTheSettingAndTheFix() {
        assertThatThrownBy(() -> Calls.config("anomaly.rate_spike_factor", "0.5"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("anomaly.rate_spike_factor (KEYWARDEN_ANOMALY_RATE_SPIKE_FACTOR): '0.5' must be a number greater than 1, e.g. 5");
        assertThatThrownBy(() -> Calls.config("anomaly.auth_failure_window", "soon"))
                .hasMessageStartingWith("anomaly.auth_failure_window (KEYWARDEN_ANOMALY_AUTH_FAILURE_WINDOW): 'soon' must be a duration");
        assertThatThrownBy(() -> Calls.config("anomaly.auth_failure_threshold", "0"))
                .hasMessageContaining("anomaly.auth_failure_threshold").hasMessageContaining("greater than 0");
        assertThatThrownBy(() -> Calls.config("anomaly.timezone", "Mars/Olympus"))
                .hasMessageContaining("anomaly.timezone").hasMessageContaining("time zone");
        assertThatThrownBy(() -> Calls.config("anomaly.suspend_key", "maybe"))
                .hasMessageContaining("anomaly.suspend_key").hasMessageContaining("true or false");
        assertThatThrownBy(() -> Calls.config("anomaly.suspend_on", "rate_spike,coffee"))
                .hasMessageContaining("anomaly.suspend_on").hasMessageContaining("auth_failures");
        assertThatThrownBy(() -> Calls.config("anomaly.unusual_hour_max_share", "2"))
                .hasMessageContaining("between 0 and 1");
    }

    @Test
    void unknownAnomalySettingIsRejectedWithTheKnownOnes() {
        Map<String, String> m = new HashMap<>();
        m.put("anomaly.rate_spike_factr", "5");
        assertThatThrownBy(() -> AnomalyConfig.fromSettings(m))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("anomaly.rate_spike_factr: unknown setting")
                .hasMessageContaining("anomaly.rate_spike_factor");
    }

    @Test
    void everyDefaultParses() {
        assertThat(AnomalyConfig.fromSettings(AnomalyConfig.DEFAULTS)).isEqualTo(AnomalyConfig.defaults());
    }
}
