package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canary: a provider key of the real shape, generated at run time, is planted in the vault of a
 * real gateway ({@code vault.kek=local}) and taken through every admin operation — add, list,
 * serve calls, KEK rotation, re-wrap, rotate, revoke — with every logger at DEBUG. Neither the key
 * nor its base64 or hex forms (nor a 40-character piece of it) appears in any admin or client
 * response, any log line, or any file of the data directory (the SQLite database with its
 * {@code -wal}/{@code -shm} files, and the KEK ring file), while the gateway runs and after it stopped.
 */
class VaultCanaryIT {

    @TempDir
    Path secrets;
    private TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void aPlantedProviderKeyAppearsInNoAdminResponseLogLineOrVaultFile() throws Exception {
        String canary = TestKeys.canaryProviderKey();
        List<String> forms = forms(canary);
        String keyA = TestKeys.fakeProviderKey();
        String next = TestKeys.fakeProviderKey();
        String logs;
        VaultAdminClient admin;
        try (LogCapture capture = LogCapture.startDebugEverything()) {
            gw = TestGateway.start(keyA, Map.of("KEYWARDEN_VAULT_KEK", "local"));
            gw.upstream.acceptKey(canary);
            gw.upstream.acceptKey(next);
            admin = VaultAdminClient.create(gw.gateway.adminUri().orElseThrow(), gw.dataDir);
            String idA = admin.keyBySha256(FakeUpstream.fingerprintOf(keyA)).get("id").asText();

            JsonNode added = admin.add(VaultAdminClient.secretFile(secrets, "canary-key", canary), "canary", 0);
            String canaryId = added.get("id").asText();
            assertThat(added.get("sha256").asText()).isEqualTo(FakeUpstream.fingerprintOf(canary));
            assertThat(added.get("fingerprint").asText()).isEqualTo("sk-ant-api03-…" + canary.substring(canary.length() - 4));
            admin.get("/admin/v1/provider-keys");
            admin.post("/admin/v1/provider-keys/" + idA + "/revoke", "{\"now\":true}");

            assertThat(gw.postMessages(TestGateway.messageBody("canary plain", false)).statusCode()).isEqualTo(200);
            assertThat(gw.postMessages(TestGateway.messageBody("canary stream", true)).statusCode()).isEqualTo(200);
            assertThat(gw.upstream.exchanges()).filteredOn(e -> e.path().equals("/v1/messages"))
                    .extracting(e -> e.apiKeySha256()).containsOnly(FakeUpstream.fingerprintOf(canary));

            JsonNode kek = admin.post("/admin/v1/vault/rotate-kek", "{}");
            assertThat(kek.get("kek_version").asInt()).as(kek.toString()).isEqualTo(2);
            admin.post("/admin/v1/vault/rewrap", "{}");
            admin.get("/admin/v1/vault");
            admin.get("/admin/v1/provider-keys/" + canaryId);
            JsonNode rotated = admin.post("/admin/v1/provider-keys/" + canaryId + "/rotate",
                    "{\"source\":\"file:" + VaultAdminClient.secretFile(secrets, "next-key", next) + "\"}");
            assertThat(rotated.at("/retired/state").asText()).isEqualTo("revoked");
            // the key that is active now, added a second time: refused (a revoked key's record may be re-added, issue 17)
            HttpResponse<String> duplicate = admin.call("POST", "/admin/v1/provider-keys",
                    "{\"source\":\"file:" + secrets.resolve("next-key") + "\",\"label\":\"again\"}");
            assertThat(duplicate.statusCode()).as(duplicate.body()).isBetween(400, 499);
            admin.get("/admin/v1/provider-keys");
            assertThat(gw.postMessages(TestGateway.messageBody("after rotation", true)).statusCode()).isEqualTo(200);

            assertAbsent("data directory while running", dataFiles(gw.dataDir), forms);
            logs = capture.text();
        }
        gw.close();
        Map<String, String> files = dataFiles(gw.dataDir);
        gw = null;

        assertThat(files.keySet()).anyMatch(name -> name.endsWith("keywarden.db"));
        assertThat(logs).contains("provider_key.rotated").contains("DEBUG"); // the capture saw the operations
        assertAbsent("admin responses", Map.of("admin", String.join("\n", admin.responsesSeen())), forms);
        assertAbsent("log lines", Map.of("log", logs), forms);
        assertAbsent("data directory after stop", files, forms);
    }

    /** The key, its base64 (standard and URL-safe, with and without padding) and hex forms, and a piece of its body. */
    private static List<String> forms(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        List<String> forms = new ArrayList<>();
        forms.add(key);
        forms.add(key.substring(30, 70));
        forms.add(Base64.getEncoder().encodeToString(bytes));
        forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        forms.add(HexFormat.of().formatHex(bytes));
        forms.add(HexFormat.of().withUpperCase().formatHex(bytes));
        return forms;
    }

    /** Every regular file under {@code dir}, as ISO-8859-1 text (byte for byte). */
    private static Map<String, String> dataFiles(Path dir) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                try {
                    out.put(dir.relativize(p).toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a -shm or temporary file removed while walking
                }
            }
        }
        return out;
    }

    private static void assertAbsent(String where, Map<String, String> texts, List<String> forms) {
        texts.forEach((name, text) -> {
            for (int i = 0; i < forms.size(); i++) {
                assertThat(text.contains(forms.get(i))).as("%s: %s contains form #%d of the canary key", where, name, i)
                        .isFalse();
            }
        });
    }
}
