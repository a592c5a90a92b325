package dev.keywarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code apps.<name>.*}: the chat endpoint's apps, and the one-line start-up errors for mistakes in them. */
class AppsConfigTest {

    @TempDir
    Path dir;

    private AppsConfig load(Map<String, String> env) {
        return ConfigLoader.from(env, dir).load().apps();
    }

    private AppsConfig loadYaml(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("k.yaml"), yaml);
        return ConfigLoader.from(Map.of(), dir).configFile(file).load().apps();
    }

    @Test
    void withoutSettingsTheDefaultAppHasTheShippedModelPromptAndCap() {
        AppsConfig apps = load(Map.of());
        assertThat(apps.apps()).containsOnlyKeys("default");
        assertThat(apps.defaultApp()).isEqualTo(new AppsConfig.App("default", List.of("claude-sonnet-4-5"),
                "You are a helpful assistant.", 1024));
        assertThat(apps).isEqualTo(AppsConfig.defaults());
    }

    @Test
    void appsComeFromTheFileWithAModelListInOrderOfPreference() throws Exception {
        AppsConfig apps = loadYaml("""
                apps:
                  support:
                    model: [claude-opus-4-5, claude-haiku-4-5]
                    system_prompt: "You answer questions about Acme routers only."
                    max_tokens: 300
                  default:
                    max_tokens: 2000
                """);
        assertThat(apps.apps()).containsOnlyKeys("default", "support");
        assertThat(apps.app("support").orElseThrow()).isEqualTo(new AppsConfig.App("support",
                List.of("claude-opus-4-5", "claude-haiku-4-5"), "You answer questions about Acme routers only.", 300));
        assertThat(apps.defaultApp().maxTokens()).isEqualTo(2000);
        assertThat(apps.defaultApp().models()).containsExactly("claude-sonnet-4-5");
    }

    @Test
    void anUnsetMaxTokensIsLoweredToTheGuardCap() {
        assertThat(load(Map.of("KEYWARDEN_GUARD_MAX_TOKENS", "500")).defaultApp().maxTokens()).isEqualTo(500);
    }

    @Test
    void appsComeFromTheEnvironmentToo() {
        AppsConfig apps = load(Map.of("KEYWARDEN_APPS_HELPDESK_MODEL", "claude-haiku-4-5",
                "KEYWARDEN_APPS_HELPDESK_SYSTEM_PROMPT", "Be brief."));
        AppsConfig.App helpdesk = apps.app("helpdesk").orElseThrow();
        assertThat(helpdesk.models()).containsExactly("claude-haiku-4-5");
        assertThat(helpdesk.systemPrompt()).isEqualTo("Be brief.");
        assertThat(helpdesk.maxTokens()).isEqualTo(1024);
    }

    @Test
    void mistakesStopStartUpWithOneLineNamingTheSetting() throws Exception {
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_APPS_SUPPORT_MODEL", "claude-*")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("apps.support.model (KEYWARDEN_APPS_SUPPORT_MODEL): 'claude-*' must be a model id")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_APPS_SUPPORT_MAX_TOKENS", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("apps.support.max_tokens (KEYWARDEN_APPS_SUPPORT_MAX_TOKENS): '0' must be greater than 0");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_APPS_SUPPORT_MAX_TOKENS", "4096", "KEYWARDEN_GUARD_MAX_TOKENS", "1000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("apps.support.max_tokens (KEYWARDEN_APPS_SUPPORT_MAX_TOKENS): 4096 is above guard.validation.max_tokens"
                        + " (1000), so every call of the app would be refused; lower it or raise the cap");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_APPS_SUPPORT_SYSTEM_PROMPT", "x".repeat(100_001))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("apps.support.system_prompt (KEYWARDEN_APPS_SUPPORT_SYSTEM_PROMPT): is longer than 100000 characters;"
                        + " shorten it");
        assertThatThrownBy(() -> loadYaml("apps:\n  support:\n    prompt: hi\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("apps.support.prompt: unknown setting; app settings are apps.<name>.{model,system_prompt,max_tokens}"
                        + " with a lower-case app name");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_APPS_SUPPORT_PROMPT", "hi")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("KEYWARDEN_APPS_SUPPORT_PROMPT: unknown setting");
    }

    @Test
    void theTierSettingsHintStillListsOnlyTierFields() throws Exception {
        assertThatThrownBy(() -> loadYaml("tiers:\n  free:\n    model: x\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tier settings are tiers.<name>.{")
                .hasMessageNotContaining("system_prompt");
    }
}
