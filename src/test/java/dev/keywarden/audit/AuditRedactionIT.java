package dev.keywarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Client-supplied text that looks like a credential never enters the hash-chained trail (which can never be
 * scrubbed) nor its mirror: canaries built at run time are sent in every field a client controls, through a
 * real gateway, and the stored rows and the mirror file are searched for them.
 */
class AuditRedactionIT {

    @Test
    void aKeySentInAnyClientControlledFieldIsMaskedInEveryStoredRecordAndInTheMirror() throws Exception {
        String providerKey = TestKeys.canaryProviderKey();
        String virtualKey = VirtualKeyFormat.generate();
        Path mirror = Files.createTempDirectory("kw-mirror-").resolve("audit.jsonl");
        TestGateway gw = TestGateway.start(Map.of("KEYWARDEN_AUDIT_MIRROR", mirror.toString()));
        try (gw) {
            for (String canary : List.of(providerKey, virtualKey)) {
                // the model of a call and of a token count
                gw.postMessages("{\"model\":\"" + canary + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                gw.send(gw.request("/v1/messages/count_tokens").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"" + canary + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
                // the path, plain and percent-encoded, and the query
                gw.send(gw.request("/v1/models/" + canary + "?after_id=" + canary).GET().build());
                gw.send(gw.request("/v1/models/" + canary.replace("-", "%2D").replace("_", "%5F")).GET().build());
                // user agent and origin (an origin's host is lower case, without '_')
                gw.send(gw.request("/v1/models").header("user-agent", "probe/1.0 (" + canary + ")")
                        .header("origin", "https://" + asHost(canary) + ".example").GET().build());
                // as the credential itself (refused, recorded without identity)
                gw.send(HttpRequest.newBuilder(gw.uri("/v1/models")).header("x-api-key", canary).GET().build());
                gw.send(HttpRequest.newBuilder(gw.uri("/v1/models")).header("authorization", "Bearer " + canary).GET().build());
                // in a short-lived token's scopes (recorded in the token.issued event)
                gw.send(gw.request("/v1/keywarden/tokens").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"ttl_seconds\":60,\"max_uses\":1,\"models\":[\"" + canary + "\"],\"origins\":[\"https://" + asHost(canary)
                                + ".example\"]}")).build());
                // in an admin API path, unauthenticated (recorded in the admin.auth_failed event)
                URI admin = gw.gateway.adminUri().orElseThrow();
                gw.send(HttpRequest.newBuilder(admin.resolve("/admin/v1/principals/" + canary)).header("authorization",
                        "Bearer " + canary).GET().build());
            }
        }
        List<String> stored = new ArrayList<>();
        try (Database db = Database.openSqlite(gw.dataDir)) {
            new AuditStore(db).forEachSince("", r -> stored.add(r.body()));
        }
        String rows = String.join("\n", stored);
        String mirrored = Files.readString(mirror);
        assertThat(stored).as("every call was recorded").hasSizeGreaterThan(16);
        assertThat(rows).contains("/v1/models/sk-ant-[redacted]").contains("\"model\":\"sk-ant-[redacted]")
                .contains("admin.auth_failed").contains("token.issued");
        for (String canary : List.of(providerKey, virtualKey)) {
            String secretPart = canary.startsWith("kw_") ? canary.substring(3) : canary.substring(13);
            for (int i = 0; i + 12 <= secretPart.length(); i += 4) {
                String window = secretPart.substring(i, i + 12);
                assertThat(rows).as("audit rows hold part of a canary").doesNotContain(window);
                assertThat(mirrored).as("the mirror holds part of a canary").doesNotContain(window);
                // as an origin host it is lower case with '-' for '_': no longer a usable key, but most of its characters
                assertThat(rows).as("audit rows hold part of a canary in host form").doesNotContain(asHost(window));
                assertThat(mirrored).as("the mirror holds part of a canary in host form").doesNotContain(asHost(window));
            }
        }
    }

    private static String asHost(String text) {
        return text.toLowerCase().replace('_', '-');
    }
}
