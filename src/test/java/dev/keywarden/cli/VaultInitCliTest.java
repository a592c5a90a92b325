package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.app.GatewayApp;
import dev.keywarden.cli.CliRunner.Run;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.crypto.VaultNotInitializedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keywarden vault init} is the one step that creates a vault: it says what it made and where,
 * refuses a weak passphrase or a second vault without changing anything, and every other command
 * (and {@code serve}) on a data directory without a vault refuses, names {@code vault init} and
 * creates nothing.
 */
class VaultInitCliTest {

    @TempDir
    Path tmp;
    Path dataDir;
    Map<String, String> env;
    String passphrase;
    LogCapture logs;

    @BeforeEach
    void setUp() {
        dataDir = tmp.resolve("data");
        passphrase = "vivid otter " + TestKeys.random(14);
        env = new HashMap<>();
        env.put("KEYWARDEN_DATA_DIR", dataDir.toString());
        env.put("KEYWARDEN_VAULT_KEK", "passphrase");
        env.put("KEYWARDEN_ADMIN_LISTEN", "off");
        env.put("PROVIDER_KEY", TestKeys.canaryProviderKey());
        logs = LogCapture.start();
    }

    @AfterEach
    void tearDown() {
        logs.close();
    }

    private Path ring() {
        return dataDir.resolve("vault/kek-ring.json");
    }

    @Test
    void initCreatesTheKeyRingAndSaysWhatItCreatedAndWhere() throws Exception {
        Run init = CliRunner.withStdin(env, passphrase + "\n", "vault", "init");

        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(ring()).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ring()))).isEqualTo("rw-------");
        assertThat(init.out()).startsWith("Created a new vault (vault.kek passphrase).")
                .containsPattern("KEK id: +passphrase:[0-9a-f]{16}, version 1")
                .contains(ring().toAbsolutePath().normalize().toString())
                .contains(dataDir.toAbsolutePath().normalize().resolve("keywarden.db").toString())
                .contains("Back up the key ring file").contains("Shared mode").contains("keywarden keys add");
        assertThat(init.all() + logs.text()).doesNotContain(passphrase);

        Run status = CliRunner.withStdin(env, passphrase + "\n", "keys", "add", "--from-env", "PROVIDER_KEY", "--no-verify");
        assertThat(status.exitCode()).as(status.err()).isZero();
    }

    @Test
    void aSecondInitIsRefusedAndLeavesTheVaultUnchanged() throws Exception {
        assertThat(CliRunner.withStdin(env, passphrase + "\n", "vault", "init").exitCode()).isZero();
        byte[] before = Files.readAllBytes(ring());

        Run again = CliRunner.withStdin(env, "other " + passphrase + "\n", "vault", "init");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).startsWith("keywarden vault init: a vault already exists here")
                .contains(ring().toAbsolutePath().normalize().toString()).contains("was not changed");
        assertThat(Files.readAllBytes(ring())).isEqualTo(before);
    }

    @Test
    void aWeakPassphraseIsRefusedBeforeAnythingIsCreated() {
        for (String weak : List.of("abc12", "password1234", "aaaaaaaaaaaaaaaa", "qwertyuiop123", "Password2026!")) {
            Run init = CliRunner.withStdin(env, weak + "\n", "vault", "init");
            assertThat(init.exitCode()).as(weak).isEqualTo(1);
            assertThat(init.err()).as(weak).startsWith("keywarden vault init: the passphrase is too")
                    .contains("random words").doesNotContain(weak);
        }
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void thePassphraseCanComeFromTheEnvironmentForScripts() {
        env.put("KEYWARDEN_VAULT_PASSPHRASE", passphrase);
        Run init = CliRunner.run(env, "vault", "init");
        assertThat(init.exitCode()).as(init.err()).isZero();
        Run rewrap = CliRunner.run(env, "vault", "rewrap");
        assertThat(rewrap.exitCode()).as(rewrap.err()).isZero();
    }

    @Test
    void aLocalKekVaultIsCreatedWithItsKeyFileToo() {
        env.put("KEYWARDEN_VAULT_KEK", "local");
        Run init = CliRunner.run(env, "vault", "init");
        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(init.out()).contains("vault.kek local").contains("local-kek.json").contains("Development only");
        assertThat(dataDir.resolve("vault/local-kek.json")).exists();
    }

    @Test
    void commandsOnADataDirectoryWithoutAVaultNameVaultInitAndCreateNothing() {
        for (String kek : List.of("passphrase", "local")) {
            env.put("KEYWARDEN_VAULT_KEK", kek);
            Run add = CliRunner.withStdin(env, passphrase + "\n", "keys", "add", "--from-env", "PROVIDER_KEY", "--no-verify");
            Run status = CliRunner.run(env, "vault", "status");
            Run rewrap = CliRunner.withStdin(env, passphrase + "\n", "vault", "rewrap");
            for (Run r : List.of(add, status, rewrap)) {
                assertThat(r.exitCode()).as(kek + ": " + r.err()).isEqualTo(1);
                assertThat(r.err()).as(kek).contains("there is no vault here").contains("keywarden vault init")
                        .contains(ring().toAbsolutePath().normalize().toString());
            }
        }
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void serveOnADataDirectoryWithoutAVaultRefusesToStart() {
        for (String kek : List.of("passphrase", "local")) {
            Map<String, String> serve = new HashMap<>(env);
            serve.put("KEYWARDEN_VAULT_KEK", kek);
            serve.put("KEYWARDEN_LISTEN", "127.0.0.1:0");
            serve.put("ANTHROPIC_API_KEY", TestKeys.fakeProviderKey());
            assertThatThrownBy(() -> GatewayApp.start(ConfigLoader.from(serve, tmp).load(), List.of()).close())
                    .as(kek).isInstanceOf(VaultNotInitializedException.class).hasMessageContaining("keywarden vault init");
            assertThat(ring()).doesNotExist();
        }
    }
}
