package dev.keywarden.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    /** A provider key of a plausible shape, built at run time (never a committed literal). */
    static String plausibleKey() {
        return "sk-ant-api03-" + "x".repeat(60) + "TEST";
    }

    @Test
    void defaultsStartInDemoModeOnLoopback8787() {
        KeywardenConfig c = ConfigLoader.from(Map.of(), dir).load();
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 8787));
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data").normalize());
        assertThat(c.upstream().url().toString()).isEqualTo("https://api.anthropic.com");
        assertThat(c.demoMode()).isTrue();
        assertThat(c.server().maxBodyBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(c.environment()).isEqualTo(Environment.DEVELOPMENT);
    }

    @Test
    void extraForwardedHeadersAreReadAsAYamlListOrACommaListInLowerCase() throws IOException {
        assertThat(ConfigLoader.from(Map.of(), dir).load().upstream().forwardHeaders()).isEmpty();
        Path yaml = Files.writeString(dir.resolve("h.yaml"), "upstream:\n  forward_headers:\n    - X-App\n    - x-claude-code-*\n");
        assertThat(ConfigLoader.from(Map.of(), dir).configFile(yaml).load().upstream().forwardHeaders())
                .containsExactly("x-app", "x-claude-code-*");
        assertThat(ConfigLoader.from(Map.of("KEYWARDEN_UPSTREAM_FORWARD_HEADERS", " x-app ,, X-Trace-Id"), dir).load().upstream()
                .forwardHeaders()).containsExactly("x-app", "x-trace-id");
    }

    @Test
    void environmentOverridesYamlAndFlagsOverrideEnvironment() throws IOException {
        Path yaml = Files.writeString(dir.resolve("k.yaml"), "listen: 127.0.0.1:9000\nupstream:\n  idle_timeout: 2m\n");
        KeywardenConfig fromYaml = ConfigLoader.from(Map.of(), dir).configFile(yaml).load();
        assertThat(fromYaml.listen().port()).isEqualTo(9000);
        assertThat(fromYaml.upstream().idleTimeout()).isEqualTo(Duration.ofMinutes(2));

        KeywardenConfig fromEnv = ConfigLoader.from(Map.of("KEYWARDEN_LISTEN", "127.0.0.1:9001"), dir).configFile(yaml).load();
        assertThat(fromEnv.listen().port()).isEqualTo(9001);

        KeywardenConfig fromFlag = ConfigLoader.from(Map.of("KEYWARDEN_LISTEN", "127.0.0.1:9001"), dir).configFile(yaml)
                .flag("listen", "127.0.0.1:9002").load();
        assertThat(fromFlag.listen().port()).isEqualTo(9002);
    }

    @Test
    void providerKeyFromEnvironmentLeavesDemoMode() {
        KeywardenConfig c = ConfigLoader.from(Map.of("ANTHROPIC_API_KEY", plausibleKey()), dir).load();
        assertThat(c.demoMode()).isFalse();
        assertThat(c.upstream().apiKey()).isPresent();
        assertThat(c.upstream().apiKeySetting()).isEqualTo("ANTHROPIC_API_KEY");
        assertThat(c.toString()).doesNotContain(plausibleKey());
    }

    @Test
    void malformedProviderKeyStopsStartupNamingTheVariableWithoutPrintingIt() {
        String[] bad = {"not-a-key-" + "y".repeat(40), "sk-ant-short", "sk-ant-api03-" + "z".repeat(40) + "!bad"};
        for (String key : bad) {
            assertThatThrownBy(() -> ConfigLoader.from(Map.of("ANTHROPIC_API_KEY", key), dir).load())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("ANTHROPIC_API_KEY:")
                    .hasMessageNotContaining(key)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void upstreamUrlWithoutProviderKeyIsAConfigurationError() {
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_UPSTREAM_URL", "http://127.0.0.1:1"), dir).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ANTHROPIC_API_KEY is not set");
    }

    @Test
    void badValuesNameTheSettingAndTheFix() {
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_LISTEN", "nonsense"), dir).load())
                .hasMessage("listen (KEYWARDEN_LISTEN): 'nonsense' must be HOST:PORT, e.g. 127.0.0.1:8787");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_UPSTREAM_IDLE_TIMEOUT", "soon"), dir).load())
                .hasMessageStartingWith("upstream.idle_timeout (KEYWARDEN_UPSTREAM_IDLE_TIMEOUT): 'soon' must be a duration");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_MAX_BODY_BYTES", "lots"), dir).load())
                .hasMessageStartingWith("server.max_body_bytes (KEYWARDEN_MAX_BODY_BYTES): 'lots' must be a size");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_UPSTREAM_URL", "ftp://x", "ANTHROPIC_API_KEY", plausibleKey()), dir).load())
                .hasMessageStartingWith("upstream.url (KEYWARDEN_UPSTREAM_URL): 'ftp://x' must be an http(s) URL");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_ENV", "qa"), dir).load())
                .hasMessageContaining("environment (KEYWARDEN_ENV)");
    }

    @Test
    void unknownYamlSettingIsRejectedSoTyposDoNotPassSilently() throws IOException {
        Path yaml = Files.writeString(dir.resolve("k.yaml"), "upstream:\n  urll: http://x\n");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of(), dir).configFile(yaml).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("upstream.urll in k.yaml: unknown setting");
    }

    @Test
    void missingConfigFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of(), dir).configFile(missing).load())
                .hasMessageContaining("nope.yaml does not exist");
    }

    @Test
    void dotEnvIsLoadedInDevelopmentWithAWarningNamingIt() throws IOException {
        Files.writeString(dir.resolve(".env"), "# comment\nexport KEYWARDEN_LISTEN=\"127.0.0.1:9100\"\n");
        KeywardenConfig c = ConfigLoader.from(Map.of(), dir).load();
        assertThat(c.listen().port()).isEqualTo(9100);
        assertThat(c.notices()).anySatisfy(n -> assertThat(n).startsWith("WARN loaded ").contains(".env"));
    }

    @Test
    void realEnvironmentWinsOverDotEnv() throws IOException {
        Files.writeString(dir.resolve(".env"), "KEYWARDEN_LISTEN=127.0.0.1:9100\n");
        KeywardenConfig c = ConfigLoader.from(Map.of("KEYWARDEN_LISTEN", "127.0.0.1:9200"), dir).load();
        assertThat(c.listen().port()).isEqualTo(9200);
    }

    @Test
    void dotEnvIsIgnoredInProduction() throws IOException {
        Files.writeString(dir.resolve(".env"), "KEYWARDEN_LISTEN=127.0.0.1:9100\n");
        KeywardenConfig c = ConfigLoader.from(Map.of("KEYWARDEN_ENV", "production"), dir).load();
        assertThat(c.listen().port()).isEqualTo(8787);
        assertThat(c.notices()).anySatisfy(n -> assertThat(n).startsWith("WARN ignored ").contains("production"));
    }

    @Test
    void providerKeyInConfigFileWorksButWarns() throws IOException {
        Path yaml = Files.writeString(dir.resolve("k.yaml"), "upstream:\n  api_key: " + plausibleKey() + "\n");
        KeywardenConfig c = ConfigLoader.from(Map.of(), dir).configFile(yaml).load();
        assertThat(c.upstream().apiKey()).isPresent();
        assertThat(c.notices()).anySatisfy(n -> assertThat(n).contains("upstream.api_key").doesNotContain(plausibleKey()));
    }

    @Test
    void everySecretInTheConfigFileWorksButWarnsNamingItsVariableNeverItsValue() throws IOException {
        String serverSecret = "server-secret-" + "s".repeat(40);
        String webhookSecret = "webhook-secret-" + "w".repeat(40);
        Path yaml = Files.writeString(dir.resolve("k.yaml"), "server_secret: " + serverSecret + "\nalerts:\n"
                + "  webhook_url: https://alerts.example.com/hook\n  webhook_secret: " + webhookSecret + "\n"
                + "postgres:\n  password: pg-" + serverSecret + "\n");
        KeywardenConfig c = ConfigLoader.from(Map.of(), dir).configFile(yaml).load();
        assertThat(c.serverSecret().orElseThrow().reveal()).isEqualTo(serverSecret);
        assertThat(c.notices()).contains(
                "WARN the server_secret is stored in the config file; prefer the KEYWARDEN_SERVER_SECRET environment variable",
                "WARN the alerts.webhook_secret is stored in the config file; prefer the KEYWARDEN_ALERTS_WEBHOOK_SECRET environment variable",
                "WARN the postgres.password is stored in the config file; prefer the KEYWARDEN_POSTGRES_PASSWORD environment variable");
        assertThat(String.join("\n", c.notices()) + c).doesNotContain(serverSecret).doesNotContain(webhookSecret);
    }

    @Test
    void vaultIsOffByDefaultAndKmsKekNeedsAKey() {
        KeywardenConfig c = ConfigLoader.from(Map.of(), dir).load();
        assertThat(c.vault().enabled()).isFalse();
        assertThat(c.vault().keyEnvironment()).isEqualTo("dev");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_VAULT_KEK", "aws-kms"), dir).load())
                .hasMessageStartingWith("vault.kms_key (KEYWARDEN_VAULT_KMS_KEY): required with vault.kek aws-kms");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of("KEYWARDEN_VAULT_KEK", "rot13"), dir).load())
                .hasMessageStartingWith("vault.kek (KEYWARDEN_VAULT_KEK): 'rot13' must be one of");
        KeywardenConfig prod = ConfigLoader.from(Map.of("KEYWARDEN_ENV", "production", "KEYWARDEN_VAULT_KEK", "passphrase"), dir).load();
        assertThat(prod.vault().keyEnvironment()).isEqualTo("prod");
        assertThat(prod.vault().passphrase()).isEmpty();
    }

    @Test
    void vaultPassphraseIsNeverShownInErrors() {
        String passphrase = "correct horse battery staple " + System.nanoTime();
        KeywardenConfig c = ConfigLoader.from(Map.of("KEYWARDEN_VAULT_KEK", "passphrase", "KEYWARDEN_VAULT_PASSPHRASE", passphrase), dir).load();
        assertThat(c.vault().passphrase().orElseThrow().reveal()).isEqualTo(passphrase);
        assertThat(c.toString()).doesNotContain(passphrase);
    }

    @Test
    void badProviderKeyInConfigFileNamesTheFileSetting() throws IOException {
        Path yaml = Files.writeString(dir.resolve("k.yaml"), "upstream:\n  api_key: nope\n");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of(), dir).configFile(yaml).load())
                .hasMessageStartingWith("upstream.api_key in the config file:");
    }
}
