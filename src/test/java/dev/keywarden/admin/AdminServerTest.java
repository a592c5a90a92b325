package dev.keywarden.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.HostPort;
import dev.keywarden.log.Redactor;
import dev.keywarden.store.Database;
import dev.keywarden.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener as a client sees it over raw HTTP: every refusal, including those Jetty makes
 * itself, is JSON in one shape ({@code {"type":"error","error":{"type","message"},"request_id"}}),
 * never an HTML page or an exception class; roles decide what a token may do.
 */
class AdminServerTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Database db;
    AdminTokens tokens;
    AdminServer server;
    URI base;
    String adminToken;
    String readToken;
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        db = Database.openSqlite(dir);
        tokens = new AdminTokens(db, ServerSecret.resolve(null, dir), events::add, Clock.systemUTC());
        adminToken = tokens.create("ops", AdminTokens.Role.ADMIN, null, "test").token();
        readToken = tokens.create("prometheus", AdminTokens.Role.READ, null, "test").token();
        AdminRoutes routes = new AdminRoutes()
                .add("GET", "/admin/v1/things", (p, b) -> Map.of("data", List.of()))
                .add("POST", "/admin/v1/things", (p, b) -> Map.of("echo", b))
                .add("GET", "/metrics", (p, b) -> new PlainText("text/plain; version=0.0.4", "# metrics\n"))
                .add("POST", "/admin/v1/crash", (p, b) -> {
                    throw new NullPointerException("Cannot invoke \"String.length()\" because \"x\" is null");
                });
        AdminTokenAdmin.register(routes, tokens, Clock.systemUTC());
        server = AdminServer.start(new HostPort("127.0.0.1", 0), tokens, routes, events::add);
        base = server.baseUri();
    }

    @AfterEach
    void stop() {
        server.close();
        db.close();
    }

    record Reply(int status, String contentType, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    Reply raw(byte[] request) throws Exception {
        try (RawHttp http = new RawHttp(base, 5_000)) {
            http.send(request);
            String text = http.readAvailable(1 << 20);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as("a response arrived: %s", text).isPositive();
            String head = text.substring(0, end);
            int status = Integer.parseInt(head.substring(9, 12));
            String contentType = head.lines().filter(l -> l.toLowerCase().startsWith("content-type:"))
                    .map(l -> l.substring(13).strip()).findFirst().orElse("");
            return new Reply(status, contentType, text.substring(end + 4));
        }
    }

    Reply request(String method, String path, String token, byte[] body) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        return raw(out.toByteArray());
    }

    /** The one error shape; the message never names an exception class and nothing is HTML. */
    static JsonNode assertError(Reply r, int status, String type) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.body()).doesNotContainIgnoringCase("<html").doesNotContain("Exception").doesNotContain("jetty");
        JsonNode json = r.json();
        assertThat(json.path("type").asText()).isEqualTo("error");
        assertThat(json.at("/error/type").asText()).isEqualTo(type);
        assertThat(json.at("/error/message").asText()).isNotBlank();
        assertThat(json.path("request_id").asText()).isNotBlank();
        return json;
    }

    @Test
    void theUnauthenticatedMessageSaysWhereToSendTheTokenAndSurvivesTheRedactor() throws Exception {
        JsonNode json = assertError(request("GET", "/admin/v1/things", null, null), 401, "authentication_error");

        String message = json.at("/error/message").asText();
        assertThat(message).isEqualTo(AdminTokens.MISSING_OR_UNKNOWN)
                .contains("in the Authorization header as a Bearer token").doesNotContain("[redacted]");
        assertThat(Redactor.redact(message)).isEqualTo(message);
        assertError(request("GET", "/admin/v1/things", "kwadm_wrong", null), 401, "authentication_error");
    }

    @Test
    void aReadTokenMayReadAndScrapeMetricsButEveryChangeIsA403PermissionError() throws Exception {
        assertThat(request("GET", "/admin/v1/things", readToken, null).status()).isEqualTo(200);
        Reply metrics = request("GET", "/metrics", readToken, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("# metrics");

        JsonNode refused = assertError(request("POST", "/admin/v1/things", readToken, "{}".getBytes()), 403, "permission_error");
        assertThat(refused.at("/error/message").asText()).contains("read role").contains("POST /admin/v1/things");
        assertError(request("POST", "/admin/v1/admin-tokens", readToken, "{\"name\":\"escalate\"}".getBytes()), 403, "permission_error");
        assertThat(events).extracting(SecurityEvent::type).contains("admin.permission_denied");
        assertThat(request("POST", "/admin/v1/things", adminToken, "{}".getBytes()).status()).isEqualTo(200);
    }

    @Test
    void anExpiredOrRevokedTokenIsRefusedAndSaysWhy() throws Exception {
        AdminTokens.Created created = tokens.create("temp", AdminTokens.Role.ADMIN, null, "test");
        assertThat(request("GET", "/admin/v1/things", created.token(), null).status()).isEqualTo(200);
        Reply listed = request("GET", "/admin/v1/admin-tokens", adminToken, null);
        assertThat(listed.body()).contains(created.id()).contains(created.prefix()).doesNotContain(created.token());

        Reply revoked = request("POST", "/admin/v1/admin-tokens/" + created.prefix() + "/revoke", adminToken, null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);

        JsonNode refused = assertError(request("GET", "/admin/v1/things", created.token(), null), 401, "authentication_error");
        assertThat(refused.at("/error/message").asText()).contains("revoked");
        assertError(request("POST", "/admin/v1/admin-tokens/adm_nosuchtoken/revoke", adminToken, null), 404, "not_found_error");
    }

    @Test
    void anAdminTokenCanCreateAReadTokenWithAnExpiryThroughTheApi() throws Exception {
        Reply created = request("POST", "/admin/v1/admin-tokens", adminToken,
                "{\"name\":\"grafana\",\"role\":\"read\",\"expires_in\":\"30d\"}".getBytes());
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        JsonNode json = created.json();
        assertThat(json.path("role").asText()).isEqualTo("read");
        assertThat(json.path("expires_at").asText()).endsWith("Z");
        String token = json.path("token").asText();
        assertThat(request("GET", "/metrics", token, null).status()).isEqualTo(200);
        assertError(request("POST", "/admin/v1/things", token, "{}".getBytes()), 403, "permission_error");

        assertError(request("POST", "/admin/v1/admin-tokens", adminToken, "{\"name\":\"x\",\"role\":\"root\"}".getBytes()),
                400, "invalid_request_error");
        assertError(request("POST", "/admin/v1/admin-tokens", adminToken, "{\"name\":\"x\",\"expires_in\":\"soon\"}".getBytes()),
                400, "invalid_request_error");
    }

    @Test
    void unknownPathsAre404AndWrongMethods405InJson() throws Exception {
        assertError(request("GET", "/admin/v1/nothing", adminToken, null), 404, "not_found_error");
        assertError(request("DELETE", "/admin/v1/things", adminToken, null), 405, "invalid_request_error");
    }

    @Test
    void badUtf8AndBadJsonBodiesAre400NeverA500() throws Exception {
        JsonNode badUtf8 = assertError(request("POST", "/admin/v1/things", adminToken,
                new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}), 400, "invalid_request_error");
        assertThat(badUtf8.at("/error/message").asText()).contains("UTF-8");
        JsonNode badJson = assertError(request("POST", "/admin/v1/things", adminToken, "{broken".getBytes()), 400,
                "invalid_request_error");
        assertThat(badJson.at("/error/message").asText()).contains("not valid JSON");
        assertError(request("POST", "/admin/v1/things", adminToken, "[1,2]".getBytes()), 400, "invalid_request_error");
    }

    @Test
    void anOversizedBodyIs413InJson() throws Exception {
        assertError(request("POST", "/admin/v1/things", adminToken, ("{\"a\":\"" + "x".repeat(70_000) + "\"}").getBytes()),
                413, "request_too_large");
    }

    @Test
    void hugeHeadersGetA431InJson() throws Exception {
        String big = "X-Padding: " + "a".repeat(20_000) + "\r\n";
        Reply r = raw(("GET /admin/v1/things HTTP/1.1\r\nHost: localhost\r\n" + big + "Authorization: Bearer " + adminToken
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        JsonNode json = assertError(r, 431, "invalid_request_error");
        assertThat(json.at("/error/message").asText()).contains("limit of " + AdminServer.MAX_HEADER_BYTES + " bytes");
    }

    @Test
    void malformedHttpIsA400InJson() throws Exception {
        Reply r = raw("GET /admin/v1/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertError(r, 400, "invalid_request_error");
    }

    @Test
    void anUnexpectedFailureIsA500ThatNamesNoExceptionAndPointsToTheLog() throws Exception {
        JsonNode json = assertError(request("POST", "/admin/v1/crash", adminToken, "{}".getBytes()), 500, "api_error");
        assertThat(json.at("/error/message").asText()).contains("gateway log").doesNotContain("String.length");
    }

    @Test
    void aStoreThatCannotBeReadIsA503InJson() throws Exception {
        db.close();

        JsonNode json = assertError(request("GET", "/admin/v1/things", adminToken, null), 503, "api_error");

        assertThat(json.at("/error/message").asText()).contains("store is unavailable");
    }
}
