package dev.keywarden.web;

import dev.keywarden.testing.CollectingSink;
import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.users.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.keywarden.web.ByokTesting.PASSPHRASE;
import static dev.keywarden.web.ByokTesting.add;
import static dev.keywarden.web.ByokTesting.csrf;
import static dev.keywarden.web.ByokTesting.lastUpstreamKey;
import static dev.keywarden.web.ByokTesting.newUser;
import static dev.keywarden.web.ByokTesting.sessionCall;
import static dev.keywarden.web.ByokTesting.sha;
import static dev.keywarden.web.ByokTesting.signedIn;
import static dev.keywarden.web.ByokTesting.status;
import static dev.keywarden.web.ByokTesting.unlock;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Canary: a user's key of the real shape, generated at run time, in each mode (server-held, sealed, session-only), is
 * taken through add, status, calls, a wrong and a right passphrase, an upstream rejection, sign-out and delete, with
 * every logger at DEBUG. Neither the key nor its passphrase (nor the key's base64 or hex forms, nor a 40-character piece
 * of it) appears in any response, log line, audit record, metric, or file of the data directory (the SQLite database
 * with its -wal/-shm files), while the gateway runs and after it stopped.
 */
class ByokCanaryIT {

    TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void aUsersKeyInEachModeAppearsInNoResponseLogLineAuditRecordMetricOrDatabaseFile() throws Exception {
        String serverHeld = TestKeys.canaryProviderKey();
        String sealed = TestKeys.canaryProviderKey();
        String sessionOnly = TestKeys.canaryProviderKey();
        List<String> forms = new ArrayList<>();
        for (String k : List.of(serverHeld, sealed, sessionOnly)) {
            forms.addAll(forms(k));
        }
        forms.add(PASSPHRASE);
        List<Browser> browsers = new ArrayList<>();
        List<String> sinks = new ArrayList<>();
        String logs;
        String metrics;
        String audit;
        try (LogCapture capture = LogCapture.startDebugEverything()) {
            gw = TestGateway.start(Map.of("KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "0", "KEYWARDEN_VAULT_KEK", "local",
                    "KEYWARDEN_BYOK_ENABLED", "true"));
            String adminToken = WebTesting.adminToken(gw.dataDir);
            for (String k : List.of(serverHeld, sealed, sessionOnly)) {
                gw.upstream.acceptKey(k);
            }
            User a = newUser(gw);
            User b = newUser(gw);
            User c = newUser(gw);
            Browser ba = signedIn(gw, a);
            Browser bb = signedIn(gw, b);
            Browser bc = signedIn(gw, c);
            browsers.addAll(List.of(ba, bb, bc));

            assertThat(add(gw, ba, serverHeld, "server_held", null).statusCode()).isEqualTo(201);
            assertThat(add(gw, bb, sealed, "sealed", PASSPHRASE).statusCode()).isEqualTo(201);
            assertThat(add(gw, bc, sessionOnly, "session_only", null).statusCode()).isEqualTo(201);
            HttpResponse<String> again = add(gw, bc, sessionOnly.substring(0, 60), "session_only", null); // refused upstream
            assertThat(again.statusCode()).isEqualTo(400);
            assertThat(add(gw, bc, sessionOnly, "session_only", null).statusCode()).isEqualTo(201);

            for (Browser br : browsers) {
                status(gw, br);
            }
            sinks.add(sessionCall(gw, ba, a, "server-held call").text());
            assertThat(lastUpstreamKey(gw)).isEqualTo(sha(serverHeld));
            sinks.add(sessionCall(gw, bb, b, "sealed call").text());
            assertThat(lastUpstreamKey(gw)).isEqualTo(sha(sealed));
            sinks.add(sessionCall(gw, bc, c, "session-only call").text());
            assertThat(lastUpstreamKey(gw)).isEqualTo(sha(sessionOnly));

            Browser bb2 = signedIn(gw, b);
            browsers.add(bb2);
            assertThat(unlock(gw, bb2, "a wrong passphrase here").statusCode()).isEqualTo(403);
            assertThat(unlock(gw, bb2, PASSPHRASE).statusCode()).isEqualTo(200);
            String virtualKey = gw.gateway.virtualKeys().create("canary-vk", a.principalId()).key();
            HttpResponse<byte[]> viaProxy = gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("x-api-key", virtualKey)
                    .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("canary stream", true))).build());
            assertThat(viaProxy.statusCode()).isEqualTo(200);

            gw.upstream.rejectKey(sessionOnly);
            CollectingSink rejected = sessionCall(gw, bc, c, "rejected now");
            assertThat(rejected.status()).isEqualTo(401);
            sinks.add(rejected.text());
            status(gw, bc);
            assertThat(bc.delete(gw.uri("/api/session"), "x-csrf-token", csrf(gw, bc)).statusCode()).isEqualTo(200);
            assertThat(bb.delete(gw.uri("/api/byok"), "x-csrf-token", csrf(gw, bb)).statusCode()).isEqualTo(200);

            metrics = WebTesting.admin(gw, adminToken, "GET", "/metrics", null).body();
            assertThat(metrics).contains("keywarden_");
            audit = WebTesting.awaitAudit(gw.dataDir, "byok.key_deleted");
            assertThat(audit).contains("byok.key_added", "byok.unlock_failed", "byok.key_rejected", "\"byok\":true");
            assertAbsent("data directory while running", dataFiles(gw.dataDir), forms);
            logs = capture.text();
        }
        gw.close();
        Map<String, String> files = dataFiles(gw.dataDir);
        gw = null;

        assertThat(files.keySet()).anyMatch(name -> name.endsWith("keywarden.db"));
        assertThat(logs).contains("DEBUG").contains("/api/byok");
        List<String> responses = new ArrayList<>(sinks);
        browsers.forEach(br -> responses.addAll(br.seen));
        assertAbsent("responses", Map.of("responses", String.join("\n", responses)), forms);
        assertAbsent("log lines", Map.of("log", logs), forms);
        assertAbsent("audit records", Map.of("audit", audit), forms);
        assertAbsent("metrics", Map.of("metrics", metrics), forms);
        assertAbsent("data directory after stop", files, forms);
    }

    /** The key, its base64 (standard and URL-safe) and hex forms, and a piece of its body. */
    static List<String> forms(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return List.of(key, key.substring(30, 70), Base64.getEncoder().encodeToString(bytes),
                Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), HexFormat.of().formatHex(bytes),
                HexFormat.of().withUpperCase().formatHex(bytes));
    }

    /** Every regular file under {@code dir}, as ISO-8859-1 text (byte for byte). */
    static Map<String, String> dataFiles(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
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

    static void assertAbsent(String where, Map<String, String> texts, List<String> forms) {
        texts.forEach((name, text) -> {
            for (int i = 0; i < forms.size(); i++) {
                int at = text.indexOf(forms.get(i));
                String around = at < 0 ? "" : text.substring(Math.max(0, at - 120), Math.min(text.length(), at + forms.get(i).length() + 40))
                        .replace(forms.get(i), "<canary>");
                assertThat(at).as("%s: %s contains form #%d of a canary: …%s…", where, name, i, around).isEqualTo(-1);
            }
        });
    }
}
