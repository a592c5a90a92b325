package dev.keywarden.limits.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.config.ConfigException;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.KeywardenConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budget settings travel from YAML and environment variables through {@link ConfigLoader} to {@link BudgetConfig}. */
class BudgetSettingsTest {

    @TempDir
    Path dir;

    KeywardenConfig load(Map<String, String> env, String yaml) throws Exception {
        ConfigLoader loader = ConfigLoader.from(env, dir);
        if (yaml != null) {
            Path file = dir.resolve("keywarden.yaml");
            Files.writeString(file, yaml);
            loader.configFile(file);
        }
        return loader.load();
    }

    @Test
    void yamlAndEnvironmentSetTierBudgetsAndTheThresholdAndABudgetOnlyTierIsATier() throws Exception {
        KeywardenConfig config = load(Map.of("KEYWARDEN_TIERS_GOLD_DAILY_BUDGET_USD", "3", "KEYWARDEN_BUDGETS_SOFT_THRESHOLD", "0.5"),
                "tiers:\n  free:\n    monthly_budget_usd: 20\n    requests_per_minute: 12\nbudgets:\n  on_failure: closed\n");
        BudgetConfig budgets = BudgetConfig.of(config.budgets());
        assertThat(budgets.softThreshold()).isEqualTo(0.5);
        assertThat(budgets.tierDefault("free")).isEqualTo(new Allowance(Usd.parse("1"), Usd.parse("20")));
        assertThat(budgets.tierDefault("gold").limit(Period.DAY, null)).isEqualTo(Usd.parse("3"));
        assertThat(config.limits().knows("gold")).as("a tier defined by its budget only").isTrue();
        assertThat(config.limits().tier("free").requestsPerMinute()).isEqualTo(12);
    }

    @Test
    void anOpenFailureModeOrAnUnknownBudgetSettingStopsStartUpWithOneLine() throws Exception {
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_BUDGETS_ON_FAILURE", "open"), null)).isInstanceOf(ConfigException.class)
                .hasMessage("budgets.on_failure (KEYWARDEN_BUDGETS_ON_FAILURE): 'open' is not supported; budgets always fail closed"
                        + " (set it to closed or remove it)");
        assertThatThrownBy(() -> load(Map.of(), "budgets:\n  soft_treshold: 0.5\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("budgets.soft_treshold: unknown setting");
    }
}
