package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSeal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on one PostgreSQL, each with its own data directory (issue 17 §1): the store records
 * which key ring sealed its keys, so a second instance whose ring is another one refuses to start or
 * unseal (naming both KEK ids and the fix) instead of unsealing into an outage, and `vault init` there
 * is refused; with a copy of the first instance's vault directory it starts and serves.
 */
class SharedVaultIdentityIT {

    static TestDatabases postgres;
    static String serverSecret;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        postgres = TestDatabases.start(Dialect.POSTGRESQL);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        serverSecret = Base64.getEncoder().encodeToString(secret);
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    Map<String, String> instance(Path dataDir, String passphrase) {
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARDEN_STORE", "postgres");
        env.put("KEYWARDEN_POSTGRES_URL", postgres.postgresUrl());
        env.put("KEYWARDEN_POSTGRES_USER", Services.postgresUser());
        env.put("KEYWARDEN_POSTGRES_POOL_SIZE", "4");
        env.put("KEYWARDEN_SERVER_SECRET", serverSecret);
        env.put("KEYWARDEN_DATA_DIR", dataDir.toString());
        env.put("KEYWARDEN_VAULT_KEK", "passphrase");
        if (passphrase != null) {
            env.put("KEYWARDEN_VAULT_PASSPHRASE", passphrase);
        }
        return env;
    }

    @Test
    void aSecondInstanceWithAnotherKeyRingRefusesToStartOrUnsealAndACopiedRingServes() throws Exception {
        postgres.fresh().close();
        String passphrase = "harbor lantern " + TestKeys.random(16);
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        String providerKey = TestKeys.fakeProviderKey();
        try (TestGateway one = TestGateway.start(providerKey, instance(first, passphrase))) {
            String firstKek = one.gateway.vault().orElseThrow().status().kekId();
            assertThat(firstKek).startsWith("passphrase:");
            assertThat(one.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(200);

            // `vault init` on the second instance: refused, since the store belongs to the first ring
            KeywardenConfig secondConfig = ConfigLoader.from(instance(second, passphrase), tmp).load();
            try (Database db = Database.open(secondConfig)) {
                assertThatThrownBy(() -> VaultInitializer.initialize(secondConfig, db, passphrase.toCharArray(), Map.of(), e -> { }))
                        .isInstanceOf(VaultException.class).hasMessageContaining(firstKek).hasMessageContaining("copy the vault directory");
            }
            assertThat(VaultSeal.ringFile(second)).doesNotExist();

            // the second instance got a ring of its own anyway (same passphrase, another ring): refused at start
            VaultSeal.initialize(secondConfig.vault(), second, Map.of(), passphrase.toCharArray()).seal();
            String secondKek = VaultSeal.open(secondConfig.vault(), second, Map.of()).ring().kekId();
            assertThat(secondKek).isNotEqualTo(firstKek);
            assertThatThrownBy(() -> TestGateway.start(providerKey, instance(second, passphrase)).close())
                    .isInstanceOf(VaultException.class)
                    .hasMessageContaining("this instance's KEK is " + secondKek)
                    .hasMessageContaining("sealed under KEK " + firstKek)
                    .hasMessageContaining("copy of the one from an instance").hasMessageContaining("do not run `keywarden vault init`");

            // ... and sealed (no passphrase configured): the unseal is refused and it stays sealed
            try (TestGateway two = TestGateway.start(providerKey, instance(second, null))) {
                KeyVault vault = two.gateway.vault().orElseThrow();
                assertThatThrownBy(() -> vault.unseal(passphrase.toCharArray())) // what POST /admin/v1/vault/unseal runs
                        .isInstanceOf(VaultIdentity.VaultMismatchException.class)
                        .hasMessageContaining(secondKek).hasMessageContaining(firstKek);
                assertThat(vault.isSealed()).isTrue();
                assertThat(two.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(503);
            }

            // with a copy of the first instance's vault directory, the second instance starts and serves
            try (Stream<Path> files = Files.list(first.resolve("vault"))) {
                for (Path f : files.toList()) {
                    Files.copy(f, second.resolve("vault").resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try (TestGateway two = TestGateway.start(providerKey, instance(second, passphrase))) {
                assertThat(two.gateway.vault().orElseThrow().status().kekId()).isEqualTo(firstKek);
                assertThat(two.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(200);
            }
        }
    }
}
