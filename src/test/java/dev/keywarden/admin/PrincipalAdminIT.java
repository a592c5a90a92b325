package dev.keywarden.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.cli.Main;
import dev.keywarden.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /admin/v1/principals: create, list, show, set tier, suspend, resume; keys created for a principal. */
class PrincipalAdminIT {

    static TestGateway gw;
    static URI admin;
    static String token;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start(Map.of("KEYWARDEN_LIMITS", "on"));
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
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(admin.resolve(path)).header("authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> proxied(String key) throws Exception {
        return gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("x-api-key", key)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
    }

    @Test
    void principalLifecycleThroughTheAdminApiGovernsItsKeysOnTheNextRequest() throws Exception {
        HttpResponse<String> created = call("POST", "/admin/v1/principals", "{\"name\":\"acme\",\"kind\":\"app\",\"tier\":\"pro\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode p = JSON.readTree(created.body());
        assertThat(p.get("id").asText()).startsWith("pr_");
        assertThat(p.get("kind").asText()).isEqualTo("app");
        assertThat(p.get("tier").asText()).isEqualTo("pro");
        assertThat(p.get("state").asText()).isEqualTo("active");

        HttpResponse<String> key = call("POST", "/admin/v1/virtual-keys", "{\"name\":\"acme-backend\",\"principal\":\"acme\"}");
        assertThat(key.statusCode()).as(key.body()).isEqualTo(200);
        String k = JSON.readTree(key.body()).get("key").asText();
        JsonNode keys = JSON.readTree(call("GET", "/admin/v1/virtual-keys", null).body()).get("data");
        boolean listed = false;
        for (JsonNode listedKey : keys) {
            if (listedKey.get("name").asText().equals("acme-backend")) {
                assertThat(listedKey.get("principal_id").asText()).isEqualTo(p.get("id").asText());
                listed = true;
            }
        }
        assertThat(listed).as("the key is listed with its principal").isTrue();

        HttpResponse<byte[]> ok = proxied(k);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("RateLimit-Policy").orElseThrow()).startsWith("\"requests\";q=50;w=60");

        assertThat(call("POST", "/admin/v1/principals/acme/suspend", null).statusCode()).isEqualTo(200);
        assertThat(proxied(k).statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(call("GET", "/admin/v1/principals/" + p.get("id").asText(), null).body()).get("state").asText())
                .isEqualTo("suspended");
        assertThat(call("POST", "/admin/v1/principals/acme/resume", null).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/admin/v1/principals/acme/tier", "{\"tier\":\"enterprise\"}").statusCode()).isEqualTo(200);
        HttpResponse<byte[]> after = proxied(k);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.headers().firstValue("RateLimit-Policy").orElseThrow()).startsWith("\"requests\";q=200;w=60");

        JsonNode list = JSON.readTree(call("GET", "/admin/v1/principals", null).body()).get("data");
        assertThat(list.findValuesAsText("name")).contains("acme", "test-client");
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        HttpResponse<String> badTier = call("POST", "/admin/v1/principals", "{\"name\":\"x1\",\"tier\":\"platinum\"}");
        assertThat(badTier.statusCode()).isEqualTo(400);
        assertThat(badTier.body()).contains("unknown tier");
        assertThat(call("POST", "/admin/v1/principals", "{}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/admin/v1/principals/nobody/suspend", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/admin/v1/principals/nobody", null).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/admin/v1/virtual-keys", "{\"name\":\"k\",\"principal\":\"nobody\"}").statusCode()).isEqualTo(404);
    }
}
