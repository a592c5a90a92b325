package dev.keywarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provider key upstream rejects (401) while serving, with no backup key: the client gets the gateway's
 * own 503 (not upstream's authentication_error, which would blame the client's virtual key), an alert is
 * in the audit trail, and {@code /readyz} turns not-ready and says why. {@code /readyz} is also not ready
 * while no key can serve at all (a sealed vault).
 */
class ProviderKeyRejectedIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private JsonNode readyz() throws Exception {
        HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/readyz")).GET().build());
        JsonNode body = JSON.readTree(r.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("http_status", r.statusCode());
        return body;
    }

    private static List<JsonNode> securityEvents(TestGateway gw) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Database db = Database.openSqlite(gw.dataDir)) {
            new AuditStore(db).forEachSince("", r -> {
                try {
                    JsonNode body = JSON.readTree(r.body());
                    if (!"call".equals(r.kind())) {
                        out.add(body);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        return out;
    }

    @Test
    void aRejectedKeyWithNoBackupGivesTheClientTheGateways503AnAlertAndNotReady() throws Exception {
        gw = TestGateway.withWrongProviderKey(Map.of());
        assertThat(readyz().at("/checks/provider_keys").asText()).isEqualTo("ok");

        HttpResponse<byte[]> r = gw.postMessages(TestGateway.messageBody("hi", false));
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode error = JSON.readTree(body);
        assertThat(error.at("/type").asText()).isEqualTo("error");
        assertThat(error.at("/error/type").asText()).isEqualTo("api_error");
        assertThat(error.at("/error/message").asText())
                .isEqualTo("the gateway's provider key was rejected upstream; the operator has been alerted");
        assertThat(body).doesNotContain("authentication_error").doesNotContain("invalid x-api-key").doesNotContain(gw.providerKey);
        assertThat(gw.upstream.exchanges()).extracting(e -> e.status()).containsExactly(401);

        HttpResponse<byte[]> streamed = gw.postMessages(TestGateway.messageBody("hi", true));
        assertThat(streamed.statusCode()).isEqualTo(503);
        assertThat(new String(streamed.body(), StandardCharsets.UTF_8)).contains("\"api_error\"").doesNotContain("authentication_error");

        JsonNode ready = readyz();
        assertThat(ready.get("http_status").asInt()).isEqualTo(503);
        assertThat(ready.at("/status").asText()).isEqualTo("unavailable");
        assertThat(ready.at("/checks/provider_keys").asText()).isEqualTo("unavailable");
        assertThat(ready.at("/reasons/provider_keys").asText())
                .startsWith("upstream rejected the provider key from ANTHROPIC_API_KEY (401) at ")
                .endsWith("; set a valid key and restart the gateway (readiness recovers by itself if upstream accepts the key again)")
                .doesNotContain(gw.providerKey);

        gw.gateway.close(); // drains the audit queue
        List<JsonNode> alerts = securityEvents(gw).stream()
                .filter(e -> "provider_key.rejected".equals(e.path("type").asText())).toList();
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).path("alert").asBoolean()).isTrue();
        assertThat(alerts.get(0).toString()).doesNotContain(gw.providerKey);
    }

    @Test
    void aRejectedKeyThatUpstreamAcceptsAgainMakesReadyzReadyAfterTheNextSuccessfulCallWithAnInfoEvent() throws Exception {
        gw = TestGateway.withWrongProviderKey(Map.of());
        assertThat(gw.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(503);
        assertThat(readyz().get("http_status").asInt()).isEqualTo(503);

        gw.upstream.acceptKey(gw.providerKey); // e.g. the account's billing problem was fixed
        HttpResponse<byte[]> ok = gw.postMessages(TestGateway.messageBody("hi again", false));
        assertThat(ok.statusCode()).as("the gateway kept forwarding with the key").isEqualTo(200);
        JsonNode ready = readyz();
        assertThat(ready.get("http_status").asInt()).isEqualTo(200);
        assertThat(ready.at("/checks/provider_keys").asText()).isEqualTo("ok");

        gw.gateway.close(); // drains the audit queue
        List<JsonNode> events = securityEvents(gw);
        List<JsonNode> recovered = events.stream().filter(e -> "provider_key.recovered".equals(e.path("type").asText())).toList();
        assertThat(recovered).hasSize(1);
        assertThat(recovered.get(0).path("alert").asBoolean()).as("recovery is INFO, not an alert").isFalse();
        assertThat(events.toString()).doesNotContain(gw.providerKey);
    }

    @Test
    void aSealedVaultMakesReadyzNotReadyWithTheReason() throws Exception {
        String passphrase = "correct horse " + TestKeys.random(16);
        String key = TestKeys.fakeProviderKey();
        java.nio.file.Path dir;
        try (TestGateway first = TestGateway.start(key, Map.of("KEYWARDEN_VAULT_KEK", "passphrase",
                "KEYWARDEN_VAULT_PASSPHRASE", passphrase))) {
            dir = first.dataDir;
        }
        gw = TestGateway.startIn(dir, Map.of("KEYWARDEN_VAULT_KEK", "passphrase", "ANTHROPIC_API_KEY", key));
        JsonNode ready = readyz();
        assertThat(ready.get("http_status").asInt()).isEqualTo(503);
        assertThat(ready.at("/checks/provider_keys").asText()).isEqualTo("unavailable");
        assertThat(ready.at("/reasons/provider_keys").asText())
                .isEqualTo("the key vault is sealed; an operator must unseal it (keywarden vault unseal)");
    }

    @Test
    void aVaultWhoseEveryKeyIsRevokedMakesReadyzNotReadyWithTheReason() throws Exception {
        gw = TestGateway.start(Map.of("KEYWARDEN_VAULT_KEK", "passphrase",
                "KEYWARDEN_VAULT_PASSPHRASE", "correct horse " + TestKeys.random(16)));
        assertThat(readyz().at("/checks/provider_keys").asText()).isEqualTo("ok");
        dev.keywarden.vault.KeyVault vault = gw.gateway.vault().orElseThrow();
        assertThat(vault.list()).singleElement().satisfies(s -> vault.revoke(s.key().id(), true));

        JsonNode ready = readyz();
        assertThat(ready.get("http_status").asInt()).isEqualTo(503);
        assertThat(ready.at("/reasons/provider_keys").asText())
                .isEqualTo("no usable provider key for environment dev (1 revoked); an operator must add or activate one"
                        + " (keywarden keys add)");
        assertThat(gw.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(503);
    }
}
