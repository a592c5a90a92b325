package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.testing.RawHttp;
import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The web UI's files and {@code /keywarden-web.js} served from the jar on the client listener, beside the gateway. */
class StaticAssetsIT {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start(Map.of());
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void everyPageOfTheUiAnswersTheIndexUnderTheStrictContentSecurityPolicy() throws Exception {
        byte[] index = null;
        for (String page : List.of("/", "/sign-in", "/chat", "/key")) {
            HttpResponse<byte[]> r = get(page);
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
            assertThat(r.headers().firstValue("content-security-policy").orElseThrow()).startsWith(CSP);
            assertThat(r.headers().firstValue("x-content-type-options")).contains("nosniff");
            assertThat(r.headers().firstValue("referrer-policy")).contains("no-referrer");
            assertThat(r.headers().firstValue("request-id").orElseThrow()).startsWith("req_kw_");
            assertThat(text(r)).contains("<script type=\"module\" src=\"/ui/app.js\"></script>");
            if (index != null) {
                assertThat(r.body()).isEqualTo(index);
            }
            index = r.body();
        }
    }

    @Test
    void theLibraryIsServedAsJavaScriptAndIsTheNpmPackagesFile() throws Exception {
        HttpResponse<byte[]> r = get("/keywarden-web.js");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("text/javascript; charset=utf-8");
        Path packaged = Path.of(System.getProperty("keywarden.basedir", ".")).resolve("clients/keywarden-web/keywarden-web.js");
        assertThat(r.body()).isEqualTo(Files.readAllBytes(packaged));
        assertThat(get("/ui/app.css").headers().firstValue("content-type")).contains("text/css; charset=utf-8");
        assertThat(get("/ui/icon.svg").headers().firstValue("content-type")).contains("image/svg+xml");
    }

    @Test
    void aRepeatedRequestWithTheEtagGets304AndHeadGetsHeadersOnly() throws Exception {
        HttpResponse<byte[]> first = get("/ui/app.js");
        String etag = first.headers().firstValue("etag").orElseThrow();
        assertThat(etag).matches("\"[A-Za-z0-9_-]{27}\"");
        assertThat(first.headers().firstValue("cache-control")).contains("no-cache");
        HttpResponse<byte[]> again = get("/ui/app.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("etag")).contains(etag);
        assertThat(get("/ui/app.js", "If-None-Match", "\"other\", W/" + etag).statusCode()).isEqualTo(304);
        assertThat(get("/ui/app.js", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        assertThat(get("/ui/app.js").headers().firstValue("etag")).as("stable").contains(etag);
        assertThat(get("/ui/dom.js").headers().firstValue("etag").orElseThrow()).as("another file, another tag").isNotEqualTo(etag);

        HttpResponse<byte[]> head = HTTP.send(HttpRequest.newBuilder(gw.uri("/ui/app.js")).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("content-length")).hasValue(first.body().length);
    }

    @Test
    void otherMethodsGet405NamingGetAndHead() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(gw.uri("/chat")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).contains("GET, HEAD");
        JsonNode body = WebTesting.JSON.readTree(r.body());
        assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.get("request_id").asText()).isEqualTo(r.headers().firstValue("request-id").orElseThrow());
    }

    @Test
    void traversalEncodedHiddenAndDirectoryPathsNeverServeAFile() throws Exception {
        List<String> paths = List.of("/ui/../../../../etc/passwd", "/ui/%2e%2e/%2e%2e/StaticAssets.class", "/ui/..%2f..%2fWebHandler.class",
                "/ui/%2E%2E/index.html", "/ui/.%2e/.%2e/StaticAssets.class", "/ui/..\\..\\StaticAssets.class", "/ui/", "/ui/pages/",
                "/ui/pages", "/ui//app.js", "/ui/app.js/", "/ui/app.js;x=1", "/ui/app.js%00.css", "/ui/.hidden.js", "/ui/app",
                "/ui/../keywarden-web.js", "/ui/pages/../app.js", "/ui/nothing-here.js", "/keywarden-web.js/x",
                "/ui/../../../web/StaticAssets.class", "/ui/%252e%252e/app.js");
        for (String path : paths) {
            String answer;
            try (RawHttp raw = new RawHttp(gw.gateway.baseUri(), 5000)) {
                answer = raw.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").readAvailable(1 << 20);
            }
            String status = answer.isEmpty() ? "" : answer.substring(0, answer.indexOf("\r\n"));
            assertThat(status).as(path).matches("HTTP/1.1 (400|404) .*");
            assertThat(answer).as(path).doesNotContain("root:").doesNotContain("java/lang/").doesNotContain("import {")
                    .doesNotContain("<!doctype").doesNotContain("<script");
        }
    }

    @Test
    void theGatewayKeepsEveryOtherPath() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(gw.postMessages(TestGateway.messageBody("hi", false)).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> session = get("/api/session");
        assertThat(session.statusCode()).isEqualTo(401);
        assertThat(session.headers().firstValue("etag")).as("not a static answer").isEmpty();
        for (String path : List.of("/nope", "/ui", "/index.html", "/chat/", "/v1/nothing")) {
            HttpResponse<byte[]> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("etag")).as(path + " is the gateway's 404").isEmpty();
            assertThat(WebTesting.JSON.readTree(r.body()).at("/error/type").asText()).isEqualTo("not_found_error");
        }
    }
}
