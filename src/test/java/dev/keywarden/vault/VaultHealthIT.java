package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.admin.AdminTokens;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} tells the truth about the vault (issue 17 §1): not ready while it is sealed or while
 * an active provider key cannot be opened, with the reason (counts only, never a key id or
 * fingerprint); and {@code /metrics} shows {@code keywarden_vault_sealed},
 * {@code keywarden_provider_keys_usable} and {@code keywarden_state_up{backend}}.
 */
class VaultHealthIT {

    @TempDir
    Path tmp;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readyzIsNotReadyWhileSealedSaysWhyAndTheMetricsShowIt() throws Exception {
        Path dataDir = tmp.resolve("data");
        String passphrase = "copper meadow " + TestKeys.random(16);
        String providerKey = TestKeys.fakeProviderKey();
        TestGateway.start(providerKey, Map.of("KEYWARDEN_VAULT_KEK", "passphrase", "KEYWARDEN_VAULT_PASSPHRASE", passphrase,
                "KEYWARDEN_DATA_DIR", dataDir.toString())).close();

        try (TestGateway gw = TestGateway.start(providerKey, Map.of("KEYWARDEN_VAULT_KEK", "passphrase",
                "KEYWARDEN_DATA_DIR", dataDir.toString()))) {
            String token = adminToken(dataDir);
            HttpResponse<byte[]> sealed = gw.send(HttpRequest.newBuilder(gw.uri("/readyz")).GET().build());
            String body = new String(sealed.body(), StandardCharsets.UTF_8);
            assertThat(sealed.statusCode()).as(body).isEqualTo(503);
            assertThat(body).contains("\"vault\":\"unavailable\"").contains("\"reasons\":{").contains("\"vault\":\"the key vault is sealed")
                    .contains("keywarden vault unseal");
            String metrics = scrape(gw, token);
            assertThat(gauge(metrics, "keywarden_vault_sealed", "")).isEqualTo(1.0);
            assertThat(gauge(metrics, "keywarden_provider_keys_usable", "")).isEqualTo(0.0);
            assertThat(gauge(metrics, "keywarden_state_up", "backend=\"sqlite\"")).isEqualTo(1.0);

            gw.gateway.vault().orElseThrow().unseal(passphrase.toCharArray());

            HttpResponse<byte[]> ready = gw.send(HttpRequest.newBuilder(gw.uri("/readyz")).GET().build());
            assertThat(ready.statusCode()).as(new String(ready.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            assertThat(new String(ready.body(), StandardCharsets.UTF_8)).contains("\"vault\":\"ok\"").doesNotContain("reasons");
            metrics = scrape(gw, token);
            assertThat(gauge(metrics, "keywarden_vault_sealed", "")).isEqualTo(0.0);
            assertThat(gauge(metrics, "keywarden_provider_keys_usable", "")).isEqualTo(1.0);
        }
    }

    @Test
    void readyzIsNotReadyWhileAnActiveKeyCannotBeOpenedAndNamesNoKey() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("KEYWARDEN_VAULT_KEK", "local"))) {
            KeyVault vault = gw.gateway.vault().orElseThrow();
            assertThat(gw.send(HttpRequest.newBuilder(gw.uri("/readyz")).GET().build()).statusCode()).isEqualTo(200);
            Path file = tmp.resolve("backup-key");
            Files.writeString(file, TestKeys.fakeProviderKey());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            ProviderKeyRecord backup = vault.add("file:" + file, "backup", "*", 5, null, false);
            // changed in the store before this process opened (and cached) it, as a record sealed elsewhere would be

            try (Database db = Database.openSqlite(gw.dataDir); Connection c = db.dataSource().getConnection();
                 PreparedStatement s = c.prepareStatement("UPDATE provider_keys SET ciphertext = wrapped_key WHERE id = ?")) {
                s.setString(1, backup.id());
                assertThat(s.executeUpdate()).isEqualTo(1);
            }
            vault.providerKeys().refresh();

            HttpResponse<byte[]> readyz = gw.send(HttpRequest.newBuilder(gw.uri("/readyz")).GET().build());
            String body = new String(readyz.body(), StandardCharsets.UTF_8);
            assertThat(readyz.statusCode()).as(body).isEqualTo(503);
            assertThat(body).contains("\"vault\":\"unavailable\"")
                    .contains("1 of 2 active provider key(s) cannot be opened")
                    .doesNotContain(backup.id()).doesNotContain(backup.displayFingerprint());
            assertThat(gauge(scrape(gw, adminToken(gw.dataDir)), "keywarden_provider_keys_usable", "")).isEqualTo(1.0);
            assertThat(gw.postMessages(TestGateway.messageBody("still served by the primary", false)).statusCode()).isEqualTo(200);
        }
    }

    private static String adminToken(Path dataDir) {
        try (Database db = Database.openSqlite(dataDir)) {
            return new AdminTokens(db, ServerSecret.resolve(null, dataDir)).create("prometheus-" + TestKeys.random(6));
        }
    }

    private String scrape(TestGateway gw, String token) throws Exception {
        URI admin = gw.gateway.adminUri().orElseThrow();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(admin.resolve("/metrics"))
                .header("authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    /** The value of {@code name} (with {@code labels} inside its braces, if any) in a Prometheus scrape. */
    static double gauge(String scrape, String name, String labels) {
        Pattern p = Pattern.compile("(?m)^" + Pattern.quote(name) + (labels.isEmpty() ? "(?:\\{[^}]*\\})?"
                : "\\{[^}]*" + Pattern.quote(labels) + "[^}]*\\}") + " ([0-9.eE+-]+)$");
        Matcher m = p.matcher(scrape);
        assertThat(m.find()).as(name + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
