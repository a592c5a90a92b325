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
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute("admin", "create-token", "--name", "ops", "--data-dir", gw.dataDir.toString())).isZero();
        } finally {
            System.setOut(old);
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        token = lines[lines.length - 1].strip();
        assertThat(token).startsWith("kwadm_");
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
    void theAdminApiIsNotReachableOnTheClientListener() throws Exception {
        HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/admin/v1/virtual-keys"))
                .header("authorization", "Bearer " + token).GET().build());
        assertThat(r.statusCode()).isEqualTo(404);
    }
}
