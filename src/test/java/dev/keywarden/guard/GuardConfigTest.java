package dev.keywarden.guard;

import dev.keywarden.config.GuardConfig;
import dev.keywarden.config.GuardMode;
import dev.keywarden.config.GuardConfig.Action;
import dev.keywarden.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuardConfigTest {

    @Test
    void defaultsValidateRedactSecretsBothWaysAndFlagInjection() {
        GuardConfig c = GuardConfig.defaults();
        assertThat(c.mode()).isEqualTo(GuardMode.ENFORCE);
        assertThat(c.validation().enabled()).isTrue();
        assertThat(c.secretsInput()).isEqualTo(Action.REDACT);
        assertThat(c.secretsOutput()).isEqualTo(Action.REDACT);
        assertThat(c.injection()).isEqualTo(Action.FLAG);
        assertThat(c.injectionThreshold()).isEqualTo(1.0);
        assertThat(c.outputGuarded()).isTrue();
    }

    @Test
    void tierModeOverridesTheGlobalModeAndTierModelsAreGlobs() {
        GuardConfig c = GuardConfig.from(Map.of("guard.mode", "flag", "tiers.free.guard", "block", "tiers.enterprise.guard", "off",
                "tiers.free.models", "claude-haiku-*, claude-3-5-haiku-latest"));
        assertThat(c.modeFor("free")).isEqualTo(GuardMode.ENFORCE);
        assertThat(c.modeFor("enterprise")).isEqualTo(GuardMode.OFF);
        assertThat(c.modeFor("pro")).isEqualTo(GuardMode.FLAG);
        assertThat(c.modeFor(null)).isEqualTo(GuardMode.FLAG);
        assertThat(c.modelsFor("free")).containsExactly("claude-haiku-*", "claude-3-5-haiku-latest");
        assertThat(c.modelsFor("pro")).isNull();
        assertThat(ModelGlobs.allows(c.modelsFor("free"), "claude-haiku-4-5-20251001")).isTrue();
        assertThat(ModelGlobs.allows(c.modelsFor("free"), "claude-opus-4-1")).isFalse();
    }

    @Test
    void environmentVariablesWinOverYamlPaths() {
        GuardConfig c = GuardConfig.from(Map.of("guard.secrets.input", "flag", "KEYWARDEN_GUARD_SECRETS_INPUT", "block"));
        assertThat(c.secretsInput()).isEqualTo(Action.BLOCK);
    }

    @Test
    void flagModeTurnsEveryActionIntoAFlagAndOffTurnsThemOff() {
        assertThat(GuardMode.FLAG.apply(Action.BLOCK)).isEqualTo(Action.FLAG);
        assertThat(GuardMode.FLAG.apply(Action.REDACT)).isEqualTo(Action.FLAG);
        assertThat(GuardMode.FLAG.apply(Action.OFF)).isEqualTo(Action.OFF);
        assertThat(GuardMode.OFF.apply(Action.BLOCK)).isEqualTo(Action.OFF);
        assertThat(GuardMode.ENFORCE.apply(Action.REDACT)).isEqualTo(Action.REDACT);
    }

    @Test
    void mistakesNameTheSettingAndTheFix() {
        assertThatThrownBy(() -> GuardConfig.from(Map.of("guard.mode", "strict")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("guard.mode (KEYWARDEN_GUARD_MODE)")
                .hasMessageContaining("off, flag");
        assertThatThrownBy(() -> GuardConfig.from(Map.of("guard.injection.action", "redact")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("guard.injection.action").hasMessageContaining("off, flag or block");
        assertThatThrownBy(() -> GuardConfig.from(Map.of("guard.secrets.output", "block")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("guard.secrets.output");
        assertThatThrownBy(() -> GuardConfig.from(Map.of("guard.validation.max_tokens", "-3")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("guard.validation.max_tokens");
        assertThatThrownBy(() -> GuardConfig.from(Map.of("guard.injection.threshold", "zero")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("guard.injection.threshold");
        assertThatThrownBy(() -> GuardConfig.from(Map.of("guard.secrets.in", "block")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("guard.secrets.in: unknown setting");
        assertThatThrownBy(() -> GuardConfig.from(Map.of("tiers.free.models", "claude haiku")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tiers.free.models");
    }

    @Test
    void outputIsNotGuardedWhenOutputSecretsAreOffOrEveryModeIsOff() {
        assertThat(GuardConfig.from(Map.of("guard.secrets.output", "off")).outputGuarded()).isFalse();
        assertThat(GuardConfig.from(Map.of("guard.mode", "off")).outputGuarded()).isFalse();
        assertThat(GuardConfig.from(Map.of("guard.mode", "off", "tiers.free.guard", "flag")).outputGuarded()).isTrue();
        assertThat(List.of(GuardConfig.defaults().describe())).allMatch(s -> s.contains("guardrails mode block"));
    }
}
