package dev.keywarden.guard;

import dev.keywarden.config.GuardConfig;
import dev.keywarden.config.GuardMode;
import dev.keywarden.config.GuardConfig.Action;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.KeywardenConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Guard settings as written in keywarden.yaml and the environment, through the real ConfigLoader. */
class GuardSettingsLoadingTest {

    @TempDir
    Path dir;

    @Test
    void yamlGuardSettingsTierModelListsAndEnvironmentOverridesReachTheGuardConfig() throws Exception {
        Path yaml = Files.writeString(dir.resolve("k.yaml"), """
                guard:
                  mode: flag
                  secrets:
                    input: block
                  validation:
                    max_tokens: 4096
                  injection:
                    threshold: 1.5
                tiers:
                  free:
                    requests_per_minute: 5
                    guard: block
                    models: [claude-haiku-*, claude-3-5-haiku-latest]
                """);
        KeywardenConfig c = ConfigLoader.from(Map.of("KEYWARDEN_GUARD_INJECTION", "block"), dir).configFile(yaml).load();
        GuardConfig g = c.guard();
        assertThat(g.mode()).isEqualTo(GuardMode.FLAG);
        assertThat(g.modeFor("free")).isEqualTo(GuardMode.ENFORCE);
        assertThat(g.modelsFor("free")).containsExactly("claude-haiku-*", "claude-3-5-haiku-latest");
        assertThat(g.secretsInput()).isEqualTo(Action.BLOCK);
        assertThat(g.validation().maxTokens()).isEqualTo(4096);
        assertThat(g.injectionThreshold()).isEqualTo(1.5);
        assertThat(g.injection()).isEqualTo(Action.BLOCK);
        assertThat(c.limits().tier("free").requestsPerMinute()).as("tier limits still read").isEqualTo(5);
    }

    @Test
    void aBadGuardValueStopsStartUpNamingTheSetting() throws Exception {
        Path yaml = Files.writeString(dir.resolve("k.yaml"), "guard:\n  secrets:\n    output: shred\n");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of(), dir).configFile(yaml).load()).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("guard.secrets.output (KEYWARDEN_GUARD_SECRETS_OUTPUT): 'shred' must be off, flag");
    }
}
