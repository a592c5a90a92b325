package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.cli.Main;
import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin listener: token-protected, separate from client traffic, Anthropic-shaped errors. */
class AdminApiIT {

    static TestGateway gw;
    static URI admin;
    static String token;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start(Map.of());
        admin = gw.gateway.adminUri().orElseThrow();
        token = createToken("ops");
    }

    static String createToken(String name, String... extra) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("admin", "create-token", "--name", name,
                    "--data-dir", gw.dataDir.toString()));
            args.addAll(java.util.List.of(extra));
            assertThat(Main.commandLine().execute(args.toArray(String[]::new))).isZero();
        } finally {
            System.setOut(old);
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        String made = lines[lines.length - 1].strip();
        assertThat(made).startsWith("kwadm_");
        return made;
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static HttpResponse<String> call(String method, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(admin.resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsWithoutAValidAdminTokenAreRefused() throws Exception {
        for (String bad : new String[] {null, "kwadm_wrong", gw.virtualKey}) {
            HttpResponse<String> r = call("GET", "/admin/v1/virtual-keys", null, bad);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(r.body()).at("/error/type").asText()).isEqualTo("authentication_error");
        }
    }

    @Test
    void virtualKeysCanBeCreatedListedAndRevokedThroughTheAdminApi() throws Exception {
        HttpResponse<String> created = call("POST", "/admin/v1/virtual-keys", "{\"name\":\"from-admin\"}", token);
        assertThat(created.statusCode()).isEqualTo(200);
        JsonNode c = JSON.readTree(created.body());
        String key = c.get("key").asText();
        assertThat(key).startsWith("kw_");
        assertThat(gw.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(200);

        HttpResponse<String> list = call("GET", "/admin/v1/virtual-keys", null, token);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("from-admin").doesNotContain(key).doesNotContain(gw.virtualKey);

        HttpResponse<String> revoked = call("POST", "/admin/v1/virtual-keys/" + c.get("id").asText() + "/revoke", null, token);
        assertThat(revoked.statusCode()).isEqualTo(200);
        HttpResponse<byte[]> refused = gw.send(gw.request("/v1/messages").setHeader("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
        assertThat(refused.statusCode()).isEqualTo(401);
    }

    @Test
    void badAdminRequestsGetClearErrors() throws Exception {
        assertThat(call("POST", "/admin/v1/virtual-keys", "{broken", token).statusCode()).isEqualTo(400);
        assertThat(call("POST", "/admin/v1/virtual-keys", "{}", token).body()).contains("name is required");
        assertThat(call("GET", "/admin/v1/nothing", null, token).statusCode()).isEqualTo(404);
        assertThat(call("DELETE", "/admin/v1/virtual-keys", null, token).statusCode()).isEqualTo(405);
        assertThat(call("POST", "/admin/v1/virtual-keys/vk_nope/revoke", null, token).statusCode()).isEqualTo(404);
    }

    @Test
    void aReadTokenForPrometheusCanScrapeAndListButCannotCreateOrRevokeKeys() throws Exception {
        String read = createToken("prometheus", "--role", "read");

        assertThat(call("GET", "/metrics", null, read).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/admin/v1/virtual-keys", null, read).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = call("POST", "/admin/v1/virtual-keys", "{\"name\":\"sneaky\"}", read);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).at("/error/type").asText()).isEqualTo("permission_error");
        assertThat(call("POST", "/admin/v1/virtual-keys/" + "vk_x" + "/revoke", null, read).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/admin/v1/virtual-keys", null, token).body()).doesNotContain("sneaky");
    }

    @Test
    void aVirtualKeyRotatedThroughTheAdminApiWorksAtOnceAndTheOldSecretStopsWhenTheGraceIsZero() throws Exception {
        JsonNode created = JSON.readTree(call("POST", "/admin/v1/virtual-keys", "{\"name\":\"rotating\",\"expires_in\":\"30d\"}", token).body());
        String oldKey = created.get("key").asText();
        assertThat(created.get("expires_at").asText()).endsWith("Z");
        assertThat(callGateway(oldKey)).isEqualTo(200);

        HttpResponse<String> rotated = call("POST", "/admin/v1/virtual-keys/" + created.get("id").asText() + "/rotate",
                "{\"grace\":\"0\"}", token);

        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        String newKey = JSON.readTree(rotated.body()).get("key").asText();
        assertThat(callGateway(newKey)).isEqualTo(200);
        assertThat(callGateway(oldKey)).isEqualTo(401);
        assertThat(call("POST", "/admin/v1/virtual-keys/vk_nosuchkey/rotate", "{}", token).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/admin/v1/virtual-keys/" + created.get("id").asText() + "/rotate", "{\"grace\":\"later\"}", token)
                .statusCode()).isEqualTo(400);
    }

    static int callGateway(String key) throws Exception {
        return gw.send(gw.request("/v1/messages").setHeader("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build()).statusCode();
    }

    @Test
    void adminTokensCanBeListedAndRevokedThroughTheAdminApi() throws Exception {
        String temp = createToken("temporary");
        HttpResponse<String> list = call("GET", "/admin/v1/admin-tokens", null, token);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("temporary").doesNotContain(temp).doesNotContain(token);
        String id = null;
        for (JsonNode t : JSON.readTree(list.body()).get("data")) {
            if (t.get("name").asText().equals("temporary")) {
                id = t.get("id").asText();
                assertThat(t.get("role").asText()).isEqualTo("admin");
            }
        }

        assertThat(call("POST", "/admin/v1/admin-tokens/" + id + "/revoke", null, token).statusCode()).isEqualTo(200);

        HttpResponse<String> refused = call("GET", "/admin/v1/virtual-keys", null, temp);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).contains("revoked");
    }

    @Test
    void theAdminApiIsNotReachableOnTheClientListener() throws Exception {
        HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/admin/v1/virtual-keys"))
                .header("authorization", "Bearer " + token).GET().build());
        assertThat(r.statusCode()).isEqualTo(404);
    }
}
