package dev.keywarden.web;

import dev.keywarden.testing.RawHttp;
import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser security headers on everything the client listener answers, set in one place ({@link SecurityHeaders}):
 * the UI, {@code /api/*}, unknown paths, the listener's own error answers and CORS preflights get the full set; the
 * Messages API gets {@code nosniff}; no answer over plain HTTP claims HSTS.
 */
class SecurityHeadersIT {

    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start(Map.of("KEYWARDEN_CORS_ALLOWED_ORIGINS", "https://app.example.com"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static void assertBrowserSet(HttpResponse<?> r, String what) {
        assertThat(r.headers().firstValue("content-security-policy")).as(what).contains(SecurityHeaders.CONTENT_SECURITY_POLICY);
        assertThat(SecurityHeaders.CONTENT_SECURITY_POLICY).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval")
                .contains("frame-ancestors 'none'");
        assertThat(r.headers().firstValue("x-content-type-options")).as(what).contains("nosniff");
        assertThat(r.headers().firstValue("referrer-policy")).as(what).contains("no-referrer");
        assertThat(r.headers().firstValue("cross-origin-opener-policy")).as(what).contains("same-origin");
        assertThat(r.headers().firstValue("x-frame-options")).as(what).contains("DENY");
        assertThat(r.headers().firstValue("strict-transport-security")).as(what + ": plain HTTP").isEmpty();
        assertThat(r.headers().allValues("content-security-policy")).as(what + ": one policy, not two").hasSize(1);
    }

    @Test
    void theUiApiErrorsAndUnknownPathsCarryTheFullBrowserSet() throws Exception {
        for (String path : List.of("/", "/chat", "/keywarden-web.js", "/api/session", "/api/config", "/nope", "/ui/missing.js")) {
            HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri(path)).GET().build());
            assertBrowserSet(r, path + " (" + r.statusCode() + ")");
        }
        HttpResponse<byte[]> wrongMethod = gw.send(HttpRequest.newBuilder(gw.uri("/api/session"))
                .method("PUT", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertBrowserSet(wrongMethod, "405 on /api/session");
    }

    @Test
    void aCorsPreflightAnswerCarriesThemToo() throws Exception {
        HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "POST").build());
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("x-content-type-options")).contains("nosniff");
    }

    @Test
    void theMessagesApiGetsNosniffAndNoPagePolicy() throws Exception {
        HttpResponse<byte[]> ok = gw.postMessages(TestGateway.messageBody("hi", false));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(ok.headers().firstValue("content-security-policy")).isEmpty();
        HttpResponse<byte[]> refused = gw.send(HttpRequest.newBuilder(gw.uri("/v1/models")).header("x-api-key", "kw_wrong").GET().build());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(gw.send(HttpRequest.newBuilder(gw.uri("/healthz")).GET().build()).headers()
                .firstValue("x-content-type-options")).contains("nosniff");
    }

    @Test
    void theListenersOwnErrorAnswerCarriesThem() throws Exception {
        String huge = "x".repeat(20_000);
        try (RawHttp raw = new RawHttp(gw.gateway.baseUri(), 5000)) {
            raw.send("GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + huge + "\r\nConnection: close\r\n\r\n");
            InputStream in = raw.input();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
            assertThat(answer).startsWith("http/1.1 431");
            assertThat(answer).contains("x-content-type-options: nosniff").contains("content-security-policy: default-src 'self'")
                    .contains("referrer-policy: no-referrer");
        }
    }

    @Test
    void anAnswerResetAfterAFailedUpstreamKeepsItsHeaders() throws Exception {
        try (TestGateway unreachable = TestGateway.pointedAt(URI.create("http://127.0.0.1:1"),
                Map.of("KEYWARDEN_CORS_ALLOWED_ORIGINS", "https://app.example.com"))) {
            HttpResponse<byte[]> r = unreachable.send(unreachable.request("/v1/messages").header("Origin", "https://app.example.com")
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.headers().firstValue("x-content-type-options")).contains("nosniff");
            assertThat(r.headers().firstValue("access-control-allow-origin")).contains("https://app.example.com");
            assertThat(r.headers().firstValue("vary")).contains("Origin");
        }
    }
}
