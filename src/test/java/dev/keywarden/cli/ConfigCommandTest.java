package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.cli.CliRunner.Run;
import dev.keywarden.config.ConfigReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code keywarden config check} validates a configuration without opening anything (OK and a summary,
 * exit 0; the one-line error, exit 2); a typo in any section stops every store command before its store
 * is opened; every command that opens the store takes the one {@link StoreOptions} mixin.
 */
class ConfigCommandTest {

    @TempDir
    Path tmp;
    Path work;
    Path dataDir;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createDirectories(tmp.resolve("work"));
        dataDir = tmp.resolve("data");
        env = new HashMap<>();
        env.put("KEYWARDEN_DATA_DIR", dataDir.toString());
    }

    private Run run(String... args) {
        return CliRunner.inDirectory(work, env, args);
    }

    @Test
    void aValidFilePrintsOkAndASummaryAndOpensNothing() throws Exception {
        Path file = Files.writeString(work.resolve("gw.yaml"), """
                environment: production
                listen: 127.0.0.1:9100
                admin:
                  listen: "off"
                vault:
                  kek: passphrase
                tiers:
                  gold:
                    requests_per_minute: 100
                limits:
                  default_tier: gold
                """);
        Run r = run("config", "check", file.toString());
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.outLines()).containsExactly(
                "OK " + file.toAbsolutePath().normalize(),
                "  environment  production",
                "  listen       127.0.0.1:9100, admin off",
                "  store        sqlite in " + dataDir.toAbsolutePath().normalize(),
                "  state        local",
                "  vault kek    passphrase (key environment prod)",
                "  tiers        enterprise, free, gold (default), pro");
        assertThat(dataDir).as("no store was opened").doesNotExist();
    }

    @Test
    void withoutAFileItChecksTheWorkingDirectorysYamlAndTheEnvironmentAndPrintsWarnings() throws Exception {
        Run defaults = run("config", "check");
        assertThat(defaults.exitCode()).as(defaults.all()).isZero();
        assertThat(defaults.outLines().getFirst()).isEqualTo("OK (no configuration file: defaults and environment)");
        assertThat(defaults.out()).contains("  environment  development (demo mode)");

        Files.writeString(work.resolve("keywarden.yaml"), "limits:\n  enabled: off\n");
        Files.writeString(work.resolve(".env"), "KEYWARDEN_STATE=redis\n");
        Run r = run("config", "check");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.outLines().getFirst()).isEqualTo("OK " + work.resolve("keywarden.yaml").toAbsolutePath().normalize());
        assertThat(r.out()).contains("  state        redis redis://127.0.0.1:6379").contains("; rate limits off");
        assertThat(r.err()).contains("warning: rate limits are off").contains("warning: loaded ");
    }

    @Test
    void aMistakeIsOneLineAndExitTwo() throws Exception {
        Path file = Files.writeString(work.resolve("gw.yaml"), "guard:\n  secrets:\n    output: shred\n");
        Run r = run("config", "check", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).containsExactly("keywarden: configuration error: guard.secrets.output"
                + " (KEYWARDEN_GUARD_SECRETS_OUTPUT): 'shred' must be off, flag, block or redact");
        assertThat(run("config", "check", work.resolve("missing.yaml").toString()).exitCode()).isEqualTo(2);
    }

    @Test
    void aSecretIsNeverPrinted() {
        String password = "pw-" + System.nanoTime();
        env.put("KEYWARDEN_STORE", "postgres");
        env.put("KEYWARDEN_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/kw");
        env.put("KEYWARDEN_POSTGRES_PASSWORD", password);
        Run r = run("config", "check");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("  store        postgres jdbc:postgresql://127.0.0.1:5432/kw");
        assertThat(r.all()).doesNotContain(password);
    }

    @Test
    void referencePrintsWhatDocsConfigurationMdHolds() {
        Run r = run("config", "reference");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(ConfigReference.markdown());
    }

    @Test
    void aTypoInAnySectionStopsAStoreCommandBeforeItsStoreIsOpened() {
        Map<String, String> typos = Map.of(
                "KEYWARDEN_GUARD_MODE", "strict",
                "KEYWARDEN_BUDGETS_SOFT_THRESHOLD", "2",
                "KEYWARDEN_ANOMALY_RATE_SPIKE_FACTR", "3",
                "KEYWARDEN_TOKENS_MAX_USES", "none",
                "KEYWARDEN_TIERS_PRO_REQUESTS", "5",
                "KEYWARDEN_CORS_ALLOWED_ORIGINS", "https://app.example.com/path",
                "KEYWARDEN_PRICING_FILE", "no-such-prices.yaml");
        typos.forEach((variable, value) -> {
            env.put(variable, value);
            for (String[] command : List.of(new String[] {"keys", "list"}, new String[] {"audit", "verify"},
                    new String[] {"admin", "create-token", "--name", "x"}, new String[] {"doctor"})) {
                Run r = run(command);
                assertThat(r.exitCode()).as(variable + " " + String.join(" ", command) + ": " + r.all()).isEqualTo(2);
                assertThat(r.err()).startsWith("keywarden: configuration error: ").contains(variable.equals("KEYWARDEN_TIERS_PRO_REQUESTS")
                        || variable.equals("KEYWARDEN_ANOMALY_RATE_SPIKE_FACTR") ? variable : "(" + variable + ")");
                assertThat(dataDir).as("the store was not opened").doesNotExist();
            }
            env.remove(variable);
        });
    }

    @Test
    void everyCommandThatTakesAConfigFileOrDataDirectoryUsesTheSharedStoreOptions() {
        List<String> checked = new ArrayList<>();
        collect(Main.commandLine().getCommandSpec(), checked);
        assertThat(checked).contains("serve", "keys list", "admin create-token", "doctor", "usage", "audit verify",
                "vault status", "principals create", "tokens list", "keys add");
    }

    private static void collect(CommandSpec spec, List<String> checked) {
        boolean storeOption = spec.optionsMap().containsKey("--data-dir") || spec.optionsMap().containsKey("--config");
        if (storeOption) {
            assertThat(spec.mixins().values()).as(spec.qualifiedName() + " takes --config/--data-dir from StoreOptions")
                    .anyMatch(m -> m.userObject() instanceof StoreOptions);
            checked.add(spec.qualifiedName().replaceFirst("^keywarden ", ""));
        }
        spec.subcommands().values().forEach(sub -> collect(sub.getCommandSpec(), checked));
    }
}
