package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A passphrase vault started without its passphrase, through the real gateway: it is sealed, serves
 * {@code /healthz}, answers proxy calls with 503 in Anthropic's error shape, refuses a wrong
 * passphrase with a clear 400 and stays sealed, and after the right passphrase imports
 * {@code ANTHROPIC_API_KEY} and serves calls with it.
 */
class SealedStartIT {

    @TempDir
    Path dir;
    private TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void aSealedGatewayRefusesProxyCallsUntilUnsealedWithTheRightPassphrase() throws Exception {
        Path dataDir = dir.resolve("data");
        String passphrase = "correct horse " + TestKeys.random(16);
        String firstKey = TestKeys.fakeProviderKey();
        // First run creates the vault with the passphrase; its imported key is then revoked, so the
        // key the second run serves with can only come from the import that waits for the unseal.
        try (TestGateway first = TestGateway.start(firstKey, Map.of("KEYWARDEN_VAULT_KEK", "passphrase",
                "KEYWARDEN_VAULT_PASSPHRASE", passphrase, "KEYWARDEN_DATA_DIR", dataDir.toString()))) {
            KeyVault vault = first.gateway.vault().orElseThrow();
            assertThat(vault.isSealed()).isFalse();
            assertThat(vault.list()).singleElement().satisfies(s -> vault.revoke(s.key().id(), true));
        }

        String secondKey = TestKeys.fakeProviderKey();
        gw = TestGateway.start(secondKey, Map.of("KEYWARDEN_VAULT_KEK", "passphrase",
                "KEYWARDEN_DATA_DIR", dataDir.toString()));
        VaultAdminClient admin = VaultAdminClient.create(gw.gateway.adminUri().orElseThrow(), dataDir);

        HttpResponse<byte[]> health = gw.send(HttpRequest.newBuilder(gw.uri("/healthz")).GET().build());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(admin.get("/admin/v1/vault").get("sealed").asBoolean()).isTrue();

        HttpResponse<byte[]> refused = gw.postMessages(TestGateway.messageBody("hi", false));
        assertThat(refused.statusCode()).isEqualTo(503);
        JsonNode error = VaultAdminClient.JSON.readTree(refused.body());
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.at("/error/type").asText()).isEqualTo("api_error");
        assertThat(error.at("/error/message").asText()).contains("vault is sealed").contains("unseal");
        assertThat(error.get("request_id").asText()).isNotBlank();
        assertThat(refused.headers().firstValue("request-id")).isPresent();
        assertThat(gw.upstream.exchanges()).noneMatch(e -> e.path().equals("/v1/messages"));

        HttpResponse<String> wrong = admin.call("POST", "/admin/v1/vault/unseal",
                "{\"passphrase\":\"not the passphrase\"}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        JsonNode wrongError = VaultAdminClient.JSON.readTree(wrong.body());
        assertThat(wrongError.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(wrongError.at("/error/message").asText()).contains("wrong passphrase").contains("sealed");
        assertThat(wrong.body()).doesNotContain("not the passphrase").doesNotContain(passphrase);
        assertThat(admin.get("/admin/v1/vault").get("sealed").asBoolean()).isTrue();
        assertThat(gw.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(503);

        JsonNode unsealed = admin.post("/admin/v1/vault/unseal",
                VaultAdminClient.JSON.createObjectNode().put("passphrase", passphrase).toString());
        assertThat(unsealed.get("sealed").asBoolean()).isFalse();

        HttpResponse<byte[]> served = gw.postMessages(TestGateway.messageBody("hi", false));
        HttpResponse<byte[]> streamed = gw.postMessages(TestGateway.messageBody("hi", true));
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(new String(streamed.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
        assertThat(gw.upstream.exchanges()).filteredOn(e -> e.path().equals("/v1/messages")).hasSize(2)
                .allSatisfy(e -> assertThat(e.apiKeySha256()).isEqualTo(FakeUpstream.fingerprintOf(secondKey)));
        JsonNode imported = admin.keyBySha256(FakeUpstream.fingerprintOf(secondKey));
        assertThat(imported.get("state").asText()).isEqualTo("active");
        assertThat(imported.get("source").asText()).isEqualTo(KeyVault.ENV_IMPORT_SOURCE);
        assertThat(admin.keyBySha256(FakeUpstream.fingerprintOf(firstKey)).get("state").asText()).isEqualTo("revoked");
        assertThat(String.join("\n", admin.responsesSeen())).doesNotContain(passphrase)
                .doesNotContain(firstKey).doesNotContain(secondKey);
    }
}
