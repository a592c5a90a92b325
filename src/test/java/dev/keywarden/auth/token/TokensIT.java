package dev.keywarden.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.admin.AdminTokens;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.store.Database;
import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Short-lived tokens through a real gateway (SQLite store) in front of the fake upstream: minted with a
 * virtual key, used like one, scopes refused before anything reaches upstream, revocation effective on
 * the next call, and the token never written to the audit trail or the log.
 */
class TokensIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode mint(TestGateway gw, String credential, String body, int expectedStatus) throws Exception {
        HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/v1/keywarden/tokens")).timeout(Duration.ofSeconds(20))
                .header("x-api-key", credential).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(expectedStatus);
        return JSON.readTree(r.body());
    }

    static HttpResponse<byte[]> call(TestGateway gw, String path, String credential, boolean bearer, String origin, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(20))
                .header(bearer ? "authorization" : "x-api-key", bearer ? "Bearer " + credential : credential)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json");
        if (origin != null) {
            b.header("origin", origin);
        }
        return gw.send(body == null ? b.GET().build() : b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static HttpResponse<byte[]> messages(TestGateway gw, String token, String model, int maxTokens) throws Exception {
        return call(gw, "/v1/messages", token, false, null, "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    static JsonNode error(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body()).path("error");
    }

    @Test
    void aTokenMintedWithAVirtualKeyWorksViaXApiKeyAndBearerAndCarriesTheTokenIdentity() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of())) {
            JsonNode minted = mint(gw, gw.virtualKey, "{\"ttl_seconds\":120,\"max_uses\":3}", 201);
            String token = minted.get("token").asText();
            assertThat(TokenFormat.isWellFormed(token)).isTrue();
            assertThat(minted.get("id").asText()).startsWith("tok_");
            assertThat(minted.get("max_uses").asInt()).isEqualTo(3);
            assertThat(minted.get("expires_in").asInt()).isEqualTo(120);
            assertThat(java.time.Instant.parse(minted.get("expires_at").asText())).isAfter(java.time.Instant.now());
            assertThat(gw.upstream.requestCount()).as("minting is answered by the gateway").isZero();

            assertThat(call(gw, "/v1/messages", token, false, null, TestGateway.messageBody("via x-api-key", false)).statusCode())
                    .isEqualTo(200);
            assertThat(call(gw, "/v1/messages", token, true, null, TestGateway.messageBody("via bearer", false)).statusCode())
                    .isEqualTo(200);
            assertThat(gw.upstream.requestCount()).isEqualTo(2);

            ExchangeRecord record = gw.awaitRecord(r -> r.identity() != null && "token".equals(r.identity().credentialKind()));
            assertThat(record.identity().credentialId()).isEqualTo(minted.get("id").asText());
            assertThat(record.identity().principalName()).isEqualTo("test-client");
            assertThat(gw.gateway.tokens().find(minted.get("id").asText()).orElseThrow().uses()).isEqualTo(2);
        }
    }

    @Test
    void scopeViolationsAre403NamingTheScopeNeverReachUpstreamAndSpendNoUse() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of())) {
            JsonNode minted = mint(gw, gw.virtualKey, "{\"max_uses\":10,\"models\":[\"claude-haiku-4-5\"],\"max_tokens\":100,"
                    + "\"endpoints\":[\"messages\"],\"origins\":[\"https://app.example.com\"]}", 201);
            assertThat(minted.get("models").get(0).asText()).isEqualTo("claude-haiku-4-5");
            String token = minted.get("token").asText();
            String ok = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

            HttpResponse<byte[]> wrongModel = call(gw, "/v1/messages", token, false, "https://app.example.com",
                    ok.replace("claude-haiku-4-5", "claude-opus-4-1"));
            HttpResponse<byte[]> tooMany = call(gw, "/v1/messages", token, false, "https://app.example.com",
                    ok.replace("100", "4096"));
            HttpResponse<byte[]> wrongEndpoint = call(gw, "/v1/messages/count_tokens", token, false, "https://app.example.com",
                    "{\"model\":\"claude-haiku-4-5\",\"messages\":[]}");
            HttpResponse<byte[]> wrongOrigin = call(gw, "/v1/messages", token, false, "https://evil.example.com", ok);
            HttpResponse<byte[]> noOrigin = call(gw, "/v1/messages", token, false, null, ok);

            for (var r : List.of(wrongModel, tooMany, wrongEndpoint, wrongOrigin, noOrigin)) {
                assertThat(r.statusCode()).isEqualTo(403);
                assertThat(error(r).get("type").asText()).isEqualTo("permission_error");
            }
            assertThat(error(wrongModel).get("message").asText()).contains("models scope");
            assertThat(error(tooMany).get("message").asText()).contains("max_tokens scope");
            assertThat(error(wrongEndpoint).get("message").asText()).contains("endpoints scope");
            assertThat(error(wrongOrigin).get("message").asText()).contains("origins scope");
            assertThat(error(noOrigin).get("message").asText()).contains("origins scope");
            assertThat(gw.upstream.requestCount()).as("no refused call reached upstream").isZero();
            assertThat(gw.gateway.tokens().find(minted.get("id").asText()).orElseThrow().uses()).as("no use spent").isZero();

            assertThat(call(gw, "/v1/messages", token, false, "https://app.example.com", ok).statusCode()).isEqualTo(200);
            assertThat(gw.upstream.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void aTokenCannotMintAndBadMintRequestsAre400NamingTheField() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of())) {
            String token = mint(gw, gw.virtualKey, "{}", 201).get("token").asText();
            JsonNode refused = mint(gw, token, "{}", 403).get("error");
            assertThat(refused.get("type").asText()).isEqualTo("permission_error");
            assertThat(refused.get("message").asText()).contains("a token cannot mint tokens");

            JsonNode bad = mint(gw, gw.virtualKey, "{\"ttl_seconds\":99999}", 400).get("error");
            assertThat(bad.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(bad.get("message").asText()).startsWith("ttl_seconds: ");
            assertThat(mint(gw, gw.virtualKey, "{\"endpoints\":[\"nope\"]}", 400).at("/error/message").asText())
                    .startsWith("endpoints: ");
            assertThat(mint(gw, "kw_tmp_" + "x".repeat(38), "{}", 401).at("/error/type").asText())
                    .isEqualTo("authentication_error");
            assertThat(gw.upstream.requestCount()).isZero();
        }
    }

    @Test
    void exhaustedAndExpiredTokensAre401SayingWhich() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of())) {
            String twice = mint(gw, gw.virtualKey, "{\"max_uses\":2}", 201).get("token").asText();
            String brief = mint(gw, gw.virtualKey, "{\"ttl_seconds\":1}", 201).get("token").asText();
            assertThat(messages(gw, twice, "m", 10).statusCode()).isEqualTo(200);
            assertThat(messages(gw, twice, "m", 10).statusCode()).isEqualTo(200);
            HttpResponse<byte[]> third = messages(gw, twice, "m", 10);
            assertThat(third.statusCode()).isEqualTo(401);
            assertThat(error(third).get("type").asText()).isEqualTo("authentication_error");
            assertThat(error(third).get("message").asText()).contains("exhausted").contains("all of its 2 uses");

            Thread.sleep(1_100);
            HttpResponse<byte[]> late = messages(gw, brief, "m", 10);
            assertThat(late.statusCode()).isEqualTo(401);
            assertThat(error(late).get("message").asText()).startsWith("this token expired at ");
            assertThat(gw.upstream.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void revocationByIdAndByPrincipalThroughTheAdminApiRefusesTheNextCall() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of())) {
            JsonNode one = mint(gw, gw.virtualKey, "{}", 201);
            JsonNode two = mint(gw, gw.virtualKey, "{}", 201);
            JsonNode three = mint(gw, gw.virtualKey, "{}", 201);
            for (JsonNode t : List.of(one, two, three)) {
                assertThat(messages(gw, t.get("token").asText(), "m", 10).statusCode()).isEqualTo(200);
            }
            String adminToken;
            try (Database db = Database.openSqlite(gw.dataDir)) {
                adminToken = new AdminTokens(db, ServerSecret.loadOrCreate(gw.dataDir)).create("tokens-it");
            }
            java.net.URI admin = gw.gateway.adminUri().orElseThrow();

            HttpResponse<byte[]> deleted = gw.send(HttpRequest.newBuilder(admin.resolve("/admin/v1/tokens/" + one.get("id").asText()))
                    .header("authorization", "Bearer " + adminToken).DELETE().build());
            assertThat(deleted.statusCode()).isEqualTo(200);
            HttpResponse<byte[]> afterId = messages(gw, one.get("token").asText(), "m", 10);
            assertThat(afterId.statusCode()).isEqualTo(401);
            assertThat(error(afterId).get("message").asText()).isEqualTo("this token was revoked");
            assertThat(messages(gw, two.get("token").asText(), "m", 10).statusCode()).isEqualTo(200);

            HttpResponse<byte[]> byPrincipal = gw.send(HttpRequest.newBuilder(admin.resolve("/admin/v1/tokens/revoke"))
                    .header("authorization", "Bearer " + adminToken).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"principal\":\"test-client\"}")).build());
            assertThat(byPrincipal.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(byPrincipal.body()).get("revoked").asInt()).isEqualTo(2);
            for (JsonNode t : List.of(two, three)) {
                HttpResponse<byte[]> r = messages(gw, t.get("token").asText(), "m", 10);
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(error(r).get("message").asText()).isEqualTo("this token was revoked");
            }
            assertThat(messages(gw, gw.virtualKey, "m", 10).statusCode()).as("the virtual key still works").isEqualTo(200);

            HttpResponse<byte[]> listed = gw.send(HttpRequest.newBuilder(admin.resolve("/admin/v1/tokens"))
                    .header("authorization", "Bearer " + adminToken).GET().build());
            String listing = new String(listed.body(), StandardCharsets.UTF_8);
            assertThat(listing).contains(one.get("id").asText()).contains("\"state\":\"revoked\"")
                    .doesNotContain(one.get("token").asText());
        }
    }

    @Test
    void tokenCallsCountAgainstTheIssuingPrincipalsRateLimitAndARateLimitedCallSpendsNoUse() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("KEYWARDEN_LIMITS", "on", "KEYWARDEN_TIERS_FREE_REQUESTS_PER_MINUTE", "3"))) {
            JsonNode minted = mint(gw, gw.virtualKey, "{}", 201);
            assertThat(messages(gw, gw.virtualKey, "m", 10).statusCode()).isEqualTo(200);
            assertThat(messages(gw, gw.virtualKey, "m", 10).statusCode()).isEqualTo(200);

            HttpResponse<byte[]> limited = messages(gw, minted.get("token").asText(), "m", 10);

            assertThat(limited.statusCode()).as("mint + 2 key calls used the principal's 3 requests").isEqualTo(429);
            assertThat(error(limited).get("type").asText()).isEqualTo("rate_limit_error");
            assertThat(gw.gateway.tokens().find(minted.get("id").asText()).orElseThrow().uses()).isZero();
            assertThat(gw.upstream.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void aSuspendedPrincipalsTokensAreRefused() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of())) {
            String token = mint(gw, gw.virtualKey, "{}", 201).get("token").asText();
            gw.gateway.virtualKeys().principals().suspend("test-client");
            HttpResponse<byte[]> r = messages(gw, token, "m", 10);
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(error(r).get("message").asText()).contains("principal test-client is suspended");
            assertThat(gw.upstream.requestCount()).isZero();
        }
    }

    @Test
    void canaryTheTokenNeverAppearsInTheAuditTableOrTheLogs() throws Exception {
        List<String> tokens = new ArrayList<>();
        String logs;
        StringBuilder audit = new StringBuilder();
        java.nio.file.Path dataDir;
        try (LogCapture capture = LogCapture.startDebugEverything()) {
            try (TestGateway gw = TestGateway.start(Map.of())) {
                dataDir = gw.dataDir;
                String limited = mint(gw, gw.virtualKey, "{\"max_uses\":1,\"models\":[\"claude-haiku-4-5\"]}", 201)
                        .get("token").asText();
                String revoked = mint(gw, gw.virtualKey, "{}", 201).get("token").asText();
                tokens.add(limited);
                tokens.add(revoked);
                messages(gw, limited, "claude-opus-4-1", 10);
                messages(gw, limited, "claude-haiku-4-5", 10);
                messages(gw, limited, "claude-haiku-4-5", 10);
                call(gw, "/v1/messages", limited, true, "https://x.example", TestGateway.messageBody("bearer", true));
                mint(gw, limited, "{}", 401);
                mint(gw, revoked, "{}", 403);
                gw.gateway.tokens().revoke(gw.gateway.tokens().list().get(0).id(), "test");
                messages(gw, revoked, "m", 10);
                String typo = revoked.substring(0, 20) + (revoked.charAt(20) == 'a' ? 'b' : 'a') + revoked.substring(21);
                tokens.add(typo);
                messages(gw, typo, "m", 10);
            }
            logs = capture.text();
        }
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(Database.FILE_NAME));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM audit_records")) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    audit.append(rs.getString(i)).append('|');
                }
            }
        }
        assertThat(audit).contains("\"credential_kind\":\"token\"").contains("token.issued").contains("token.revoked");
        for (String token : tokens) {
            String secretPart = token.substring(7, 39);
            assertThat(audit).doesNotContain(secretPart);
            assertThat(logs).doesNotContain(secretPart);
        }
    }
}
