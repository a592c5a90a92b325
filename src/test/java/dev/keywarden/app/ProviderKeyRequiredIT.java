package dev.keywarden.app;

import dev.keywarden.config.ConfigException;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.testing.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code serve} outside development never falls back to the demo: with no provider key configured (no
 * {@code ANTHROPIC_API_KEY}, vault off or empty) it refuses to start with one line saying how to configure
 * one; in development the demo still starts.
 */
class ProviderKeyRequiredIT {

    private static Map<String, String> env(Path dir, String environment) {
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARDEN_ENV", environment);
        env.put("KEYWARDEN_DATA_DIR", dir.toString());
        env.put("KEYWARDEN_LISTEN", "127.0.0.1:0");
        env.put("KEYWARDEN_ADMIN_LISTEN", "off");
        return env;
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "staging"})
    void withoutAProviderKeyServeRefusesToStartWithOneLineSayingHowToConfigureOne(String environment) throws Exception {
        Path dir = Files.createTempDirectory("kw-nokey-");
        assertThatThrownBy(() -> GatewayApp.start(ConfigLoader.from(env(dir, environment), dir).load(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("environment " + environment + ": no provider key is configured")
                .hasMessageContaining("set ANTHROPIC_API_KEY")
                .hasMessageContaining("keywarden keys add")
                .hasMessageContaining("environment: development")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void inProductionAVaultWithNoUsableKeyRefusesToStart() throws Exception {
        Path dir = Files.createTempDirectory("kw-emptyvault-");
        Map<String, String> env = env(dir, "production");
        env.put("KEYWARDEN_VAULT_KEK", "passphrase");
        env.put("KEYWARDEN_VAULT_PASSPHRASE", "vault passphrase " + TestKeys.random(16));
        var config = ConfigLoader.from(env, dir).load();
        dev.keywarden.testing.TestGateway.initVaultIfAbsent(config, env); // an operator ran vault init, then added no key
        assertThatThrownBy(() -> GatewayApp.start(config, List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("environment production: the vault holds no usable provider key for key environment prod"
                        + " (vault.key_environment); add one with `keywarden keys add --from-env VAR` or set ANTHROPIC_API_KEY"
                        + " to import it at start-up");
    }

    @Test
    void inDevelopmentWithoutAProviderKeyTheDemoStarts() throws Exception {
        Path dir = Files.createTempDirectory("kw-demo-");
        try (GatewayApp app = GatewayApp.start(ConfigLoader.from(env(dir, "development"), dir).load(), List.of())) {
            assertThat(app.demoKey()).isPresent();
        }
    }
}
