package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.admin.AdminTokens;
import dev.keywarden.app.GatewayApp;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.cli.CliRunner.Run;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.store.Database;
import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import dev.keywarden.vault.KeyVault;
import dev.keywarden.vault.ProviderKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The vault CLI against a real gateway started in-process with {@code vault.kek=passphrase} and no
 * passphrase, so it starts sealed: {@code vault unseal} reads the passphrase from stdin and unseals it
 * through the admin API, a wrong one is a clear error, and {@code keys list/rotate/revoke --admin-url}
 * and {@code vault seal} act on the running gateway with an admin token.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VaultRemoteCliIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static Path dataDir;
    static FakeUpstream fake;
    static GatewayApp gateway;
    static String passphrase;
    static String providerKey;
    static String newKey;
    static String token;
    static Map<String, String> cli;
    static LogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.start();
        dataDir = Files.createTempDirectory("kw-vcli-");
        passphrase = "vault passphrase " + TestKeys.random(16);
        providerKey = TestKeys.canaryProviderKey();
        newKey = TestKeys.canaryProviderKey();
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(newKey));

        Map<String, String> setup = new HashMap<>();
        setup.put("KEYWARDEN_DATA_DIR", dataDir.toString());
        setup.put("KEYWARDEN_VAULT_KEK", "passphrase");
        setup.put("KEYWARDEN_VAULT_PASSPHRASE", passphrase);
        setup.put("KEYWARDEN_ADMIN_LISTEN", "off");
        setup.put("PROVIDER_KEY", providerKey);
        Run init = CliRunner.run(setup, "vault", "init");
        assertThat(init.exitCode()).as(init.err()).isZero();
        Run added = CliRunner.run(setup, "keys", "add", "--from-env", "PROVIDER_KEY", "--no-verify");
        assertThat(added.exitCode()).as(added.err()).isZero();

        Map<String, String> serve = new HashMap<>();
        serve.put("KEYWARDEN_DATA_DIR", dataDir.toString());
        serve.put("KEYWARDEN_VAULT_KEK", "passphrase");
        serve.put("KEYWARDEN_LISTEN", "127.0.0.1:0");
        serve.put("KEYWARDEN_ADMIN_LISTEN", "127.0.0.1:0");
        serve.put("KEYWARDEN_UPSTREAM_URL", fake.baseUri().toString());
        gateway = GatewayApp.start(ConfigLoader.from(serve, dataDir).load(), List.of());
        assertThat(vault().isSealed()).isTrue();

        try (Database db = Database.openSqlite(dataDir)) {
            token = new AdminTokens(db, ServerSecret.resolve(null, dataDir)).create("ops");
        }
        cli = new HashMap<>();
        cli.put("KEYWARDEN_ADMIN_URL", gateway.adminUri().orElseThrow().toString());
        cli.put("KEYWARDEN_ADMIN_TOKEN", token);
    }

    @AfterAll
    static void stop() {
        try {
            assertThat(logs.text()).doesNotContain(providerKey).doesNotContain(newKey).doesNotContain(passphrase)
                    .doesNotContain(token);
        } finally {
            logs.close();
            gateway.close();
            fake.close();
        }
    }

    static KeyVault vault() {
        return gateway.vault().orElseThrow();
    }

    static void assertNothingSecret(Run... runs) {
        for (Run r : runs) {
            assertThat(r.all()).doesNotContain(providerKey).doesNotContain(newKey).doesNotContain(passphrase)
                    .doesNotContain(token);
        }
    }

    @Test
    @Order(1)
    void statusShowsTheGatewaySealed() {
        Run status = CliRunner.run(cli, "vault", "status");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("SEALED").contains("passphrase");
    }

    @Test
    @Order(2)
    void unsealWithAWrongPassphraseFailsClearlyAndTheGatewayStaysSealed() {
        Run wrong = CliRunner.withStdin(cli, "not the passphrase\n", "vault", "unseal");

        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err()).startsWith("keywarden vault unseal: wrong passphrase").contains("HTTP 400");
        assertThat(vault().isSealed()).isTrue();
        assertNothingSecret(wrong);
    }

    @Test
    @Order(3)
    void unsealWithThePassphraseOnStdinUnsealsTheRunningGateway() {
        Run unseal = CliRunner.withStdin(cli, passphrase + "\n", "vault", "unseal");

        assertThat(unseal.exitCode()).as(unseal.err()).isZero();
        assertThat(unseal.out()).contains("Unsealed the vault of the gateway at " + gateway.adminUri().orElseThrow());
        assertThat(vault().isSealed()).isFalse();
        Run again = CliRunner.withStdin(cli, "", "vault", "unseal");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("already unsealed");
        assertNothingSecret(unseal, again);
    }

    @Test
    @Order(4)
    void keysListThroughTheAdminApiShowsProviderKeysByFingerprintAndVirtualKeys() throws Exception {
        gateway.virtualKeys().create("remote-client");
        Map<String, String> tokenOnly = Map.of("KEYWARDEN_ADMIN_TOKEN", token);

        Run list = CliRunner.run(tokenOnly, "keys", "list", "--admin-url", gateway.adminUri().orElseThrow().toString());

        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.outLines().get(0)).startsWith("PROVIDER KEYS (the gateway at http://127.0.0.1:");
        assertThat(list.out()).contains(ProviderKey.fingerprintOf(providerKey)).contains("active")
                .contains("VIRTUAL KEYS").contains("remote-client");
        Run json = CliRunner.run(cli, "keys", "list", "--json");
        JsonNode root = JSON.readTree(json.out());
        assertThat(root.get("provider_keys")).singleElement()
                .satisfies(k -> assertThat(k.get("fingerprint").asText()).isEqualTo(ProviderKey.fingerprintOf(providerKey)));
        assertThat(root.get("virtual_keys")).anySatisfy(k -> {
            assertThat(k.get("name").asText()).isEqualTo("remote-client");
            assertThat(k.get("created_at").asText()).endsWith("Z");
        });
        assertNothingSecret(list, json);
    }

    @Test
    @Order(5)
    void rotateThroughTheAdminApiHasTheGatewayReadTheNewKeyFromItsSource() throws Exception {
        String oldId = JSON.readTree(CliRunner.run(cli, "keys", "list", "--json").out()).at("/provider_keys/0/id").asText();
        Path file = dataDir.resolve("new-key");
        Files.writeString(file, newKey);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        Run rotate = CliRunner.run(cli, "keys", "rotate", "--from", oldId, "--new-from-source", "file:" + file);

        assertThat(rotate.exitCode()).as(rotate.err()).isZero();
        List<String> steps = rotate.outLines().stream().filter(l -> l.startsWith("  ")).map(l -> l.strip().split(" +")[0]).toList();
        assertThat(steps).containsExactly("pending", "verified", "active", "draining", "revoked");
        assertThat(rotate.out()).contains(ProviderKey.fingerprintOf(newKey)).contains("replaces " + oldId);
        assertThat(vault().find(oldId).orElseThrow().state().id()).isEqualTo("revoked");
        assertNothingSecret(rotate);
    }

    @Test
    @Order(6)
    void aGracefulRemoteRevokeTheGatewayRefusesSaysNothingAboutDraining() throws Exception {
        JsonNode keys = JSON.readTree(CliRunner.run(cli, "keys", "list", "--json").out()).get("provider_keys");
        String active = null;
        int activeCount = 0;
        for (JsonNode k : keys) {
            if (k.get("state").asText().equals("active")) {
                active = k.get("id").asText();
                activeCount++;
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(activeCount == 1, "needs exactly one active key");

        Run refused = CliRunner.run(cli, "keys", "revoke", active);

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("is the last active provider key").contains("HTTP 409").doesNotContain("Draining");
        assertThat(vault().find(active).orElseThrow().state().id()).isEqualTo("active");
    }

    @Test
    @Order(7)
    void revokeNowThroughTheAdminApi() throws Exception {
        JsonNode keys = JSON.readTree(CliRunner.run(cli, "keys", "list", "--json").out()).get("provider_keys");
        String active = null;
        for (JsonNode k : keys) {
            if (k.get("state").asText().equals("active")) {
                active = k.get("id").asText();
            }
        }
        assertThat(active).isNotNull();

        Run refused = CliRunner.run(cli, "keys", "revoke", active, "--now");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("is the last active provider key").contains("--force").contains("HTTP 409");
        assertThat(vault().find(active).orElseThrow().state().id()).isEqualTo("active");

        Run revoke = CliRunner.run(cli, "keys", "revoke", active, "--now", "--force");

        assertThat(revoke.exitCode()).as(revoke.err()).isZero();
        assertThat(revoke.out()).contains("It was the last active provider key");
        assertThat(vault().find(active).orElseThrow().state().id()).isEqualTo("revoked");
        Run unknown = CliRunner.run(cli, "keys", "revoke", "pk_nosuchkey", "--now");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("keywarden keys revoke: ").contains("pk_nosuchkey").contains("HTTP 409");
    }

    @Test
    @Order(8)
    void aWrongAdminTokenIsRefusedWithTheApisMessage() {
        Map<String, String> bad = new HashMap<>(cli);
        bad.put("KEYWARDEN_ADMIN_TOKEN", "kwadm_" + TestKeys.random(43).replace('-', 'x'));
        Run list = CliRunner.run(bad, "keys", "list");
        assertThat(list.exitCode()).isEqualTo(1);
        assertThat(list.err()).contains("admin token").contains("HTTP 401").doesNotContain(bad.get("KEYWARDEN_ADMIN_TOKEN"));
    }

    @Test
    @Order(9)
    void sealDropsTheKekOfTheRunningGateway() {
        Run seal = CliRunner.run(cli, "vault", "seal");
        assertThat(seal.exitCode()).as(seal.err()).isZero();
        assertThat(seal.out()).contains("Sealed");
        assertThat(vault().isSealed()).isTrue();
        Run status = CliRunner.run(cli, "vault", "status", "--json");
        assertThat(status.out()).contains("\"sealed\" : true");
    }
}
