package dev.keywarden.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByokSettingsTest {

    @TempDir
    Path dir;

    KeywardenConfig load(Map<String, String> env) {
        return ConfigLoader.from(env, dir).load();
    }

    @Test
    void byokIsOffByDefaultOffersEveryModeToEveryTierAndDoesNotCountTowardBudgets() {
        ByokConfig b = load(Map.of()).byok();
        assertThat(b.enabled()).isFalse();
        assertThat(b.modes()).containsExactly("server_held", "sealed", "session_only");
        assertThat(b.allowsTier("free")).isTrue();
        assertThat(b.countTowardBudget()).isFalse();
        assertThat(b.notice()).contains("Server-held", "Sealed", "Session-only", "can decrypt", "cannot be recovered",
                "Delete", "separate key", "spend limit");
        assertThat(b.offers("sealed")).as("nothing is offered while off").isFalse();
    }

    @Test
    void modesAndTiersAreReadFromAYamlListOrACommaSeparatedVariable() throws Exception {
        ByokConfig fromEnv = load(Map.of("KEYWARDEN_BYOK_ENABLED", "true", "KEYWARDEN_BYOK_MODES", "session_only, sealed",
                "KEYWARDEN_BYOK_TIERS", "pro,enterprise")).byok();
        assertThat(fromEnv.modes()).containsExactly("session_only", "sealed");
        assertThat(fromEnv.tiers()).isEqualTo(Set.of("pro", "enterprise"));
        assertThat(fromEnv.allowsTier("free")).isFalse();
        assertThat(fromEnv.allowsTier(null)).isFalse();
        Path yaml = dir.resolve("k.yaml");
        Files.writeString(yaml, "byok:\n  enabled: true\n  modes: [sealed]\n  tiers:\n    - pro\n");
        ByokConfig fromYaml = ConfigLoader.from(Map.of(), dir).configFile(yaml).load().byok();
        assertThat(fromYaml.modes()).isEqualTo(List.of("sealed"));
        assertThat(fromYaml.tiers()).isEqualTo(Set.of("pro"));
    }

    @Test
    void anUnknownModeAnUnknownTierOrAnEmptyNoticeStopsStartUpWithOneLineNamingTheSetting() {
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_BYOK_MODES", "sealed,cloud"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("byok.modes").hasMessageContaining("server_held, sealed and/or session_only")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_BYOK_TIERS", "gold"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("byok.tiers").hasMessageContaining("'gold', which is not configured");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_BYOK_ENABLED", "maybe"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("byok.enabled").hasMessageContaining("true or false");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_BYOK_MODES", " , "))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("byok.modes").hasMessageContaining("at least one");
    }
}
