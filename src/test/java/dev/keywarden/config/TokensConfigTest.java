package dev.keywarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreOneHourAndTenThousandUses() {
        TokensConfig t = ConfigLoader.from(Map.of(), dir).load().tokens();
        assertThat(t.maxTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(t.maxUses()).isEqualTo(10_000);
        assertThat(t.defaultTtl()).isEqualTo(Duration.ofMinutes(15));
        assertThat(t.defaultUses()).isEqualTo(100);
    }

    @Test
    void settingsComeFromTheEnvironmentOrTheConfigFile() throws Exception {
        Path yaml = Files.writeString(dir.resolve("keywarden.yaml"), "tokens:\n  max_ttl: 10m\n  max_uses: 50\n");
        TokensConfig fromYaml = ConfigLoader.from(Map.of(), dir).configFile(yaml).load().tokens();
        assertThat(fromYaml).isEqualTo(new TokensConfig(Duration.ofMinutes(10), 50));
        assertThat(fromYaml.defaultTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(fromYaml.defaultUses()).isEqualTo(50);
        TokensConfig fromEnv = ConfigLoader.from(Map.of("KEYWARDEN_TOKENS_MAX_TTL", "2h"), dir).configFile(yaml).load().tokens();
        assertThat(fromEnv.maxTtl()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void badValuesStopStartUpNamingTheSetting() {
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_TOKENS_MAX_USES", "0"), dir).load())
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tokens.max_uses (KEYWARDEN_TOKENS_MAX_USES):");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_TOKENS_MAX_TTL", "soon"), dir).load())
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tokens.max_ttl (KEYWARDEN_TOKENS_MAX_TTL):");
    }
}
