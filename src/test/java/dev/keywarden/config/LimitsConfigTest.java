package dev.keywarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimitsConfigTest {

    @TempDir
    Path dir;

    private LimitsConfig load(Map<String, String> env) {
        return ConfigLoader.from(env, dir).load().limits();
    }

    @Test
    void defaultsAreTenFiftyTwoHundredRequestsPerMinuteWithFreeAsDefaultTierAndLimitsOn() {
        LimitsConfig l = load(Map.of());
        assertThat(l.enabled()).isTrue();
        assertThat(l.defaultTier()).isEqualTo("free");
        assertThat(l.tier("free").requestsPerMinute()).isEqualTo(10);
        assertThat(l.tier("pro").requestsPerMinute()).isEqualTo(50);
        assertThat(l.tier("enterprise").requestsPerMinute()).isEqualTo(200);
        assertThat(l.tier("unknown")).as("unknown tier falls back to the default").isEqualTo(l.tier("free"));
        assertThat(l.authFailuresPerMinute()).isEqualTo(20);
        assertThat(l.authLockout()).hasMinutes(15);
    }

    @Test
    void customTierFromEnvironmentAndOverrideOfABuiltInOne() {
        LimitsConfig l = load(Map.of("KEYWARDEN_TIERS_GOLD_TEAM_REQUESTS_PER_MINUTE", "500",
                "KEYWARDEN_TIERS_PRO_CONCURRENT_REQUESTS", "3", "KEYWARDEN_LIMITS_DEFAULT_TIER", "gold_team"));
        assertThat(l.tier("gold_team")).isEqualTo(new TierLimits("gold_team", 500, 0, 0, 0));
        assertThat(l.tier("pro").concurrentRequests()).isEqualTo(3);
        assertThat(l.tier("pro").requestsPerMinute()).isEqualTo(50);
        assertThat(l.defaultTier()).isEqualTo("gold_team");
    }

    @Test
    void customTierFromYaml() throws Exception {
        Path yaml = dir.resolve("keywarden.yaml");
        Files.writeString(yaml, "tiers:\n  startup:\n    requests_per_minute: 30\n    output_tokens_per_minute: 9000\nlimits:\n  enabled: off\n");
        LimitsConfig l = ConfigLoader.from(Map.of(), dir).configFile(yaml).load().limits();
        assertThat(l.tier("startup")).isEqualTo(new TierLimits("startup", 30, 0, 9000, 0));
        assertThat(l.enabled()).isFalse();
    }

    @Test
    void mistakesNameTheSetting() {
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_TIERS_PRO_REQUESTS", "5"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("KEYWARDEN_TIERS_PRO_REQUESTS: unknown setting");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_TIERS_PRO_REQUESTS_PER_MINUTE", "lots")))
                .hasMessageContaining("tiers.pro.requests_per_minute: 'lots' must be a whole number");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_LIMITS_DEFAULT_TIER", "platinum")))
                .hasMessageContaining("limits.default_tier").hasMessageContaining("'platinum' is not a tier");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_LIMITS", "maybe"))).hasMessageContaining("must be on or off");
    }
}
