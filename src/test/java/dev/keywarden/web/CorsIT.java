package dev.keywarden.web;

import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CORS on the client listener of a running gateway ({@code cors.allowed_origins} lists one origin, with credentials):
 * what a browser sees for a listed origin, a foreign one and {@code null}, on preflights and on calls.
 */
class CorsIT {

    static final String LISTED = "https://app.example.com";
    static final String FOREIGN = "https://evil.example.net";
    static final String MESSAGE = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start(Map.of("KEYWARDEN_CORS_ALLOWED_ORIGINS", LISTED, "KEYWARDEN_CORS_ALLOW_CREDENTIALS", "true",
                "KEYWARDEN_CORS_MAX_AGE", "15m"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static HttpResponse<byte[]> preflight(String path, String origin, String method, String headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", method);
        if (headers != null) {
            b.header("Access-Control-Request-Headers", headers);
        }
        return gw.send(b.build());
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aPreflightFromAListedOriginIsAnswered204WithTheAllowedSetAndMaxAge() throws Exception {
        int upstreamBefore = gw.upstream.requestCount();
        HttpResponse<byte[]> r = preflight("/v1/messages", LISTED, "POST",
                "content-type,authorization,anthropic-version,anthropic-dangerous-direct-browser-access,x-stainless-retry-count,X-Stainless-OS");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(header(r, "access-control-allow-origin")).isEqualTo(LISTED);
        assertThat(header(r, "access-control-allow-credentials")).isEqualTo("true");
        assertThat(header(r, "access-control-allow-methods")).isEqualTo("GET, POST, DELETE");
        assertThat(header(r, "access-control-allow-headers")).contains("content-type", "authorization", "x-api-key",
                "anthropic-version", "anthropic-beta", "x-stainless-retry-count", "x-stainless-os");
        assertThat(header(r, "access-control-max-age")).isEqualTo("900");
        assertThat(header(r, "vary")).contains("Origin");
        assertThat(r.body()).isEmpty();
        assertThat(gw.upstream.requestCount()).as("a preflight never goes upstream").isEqualTo(upstreamBefore);
    }

    @Test
    void aPreflightForAMethodOrHeaderOutsideTheAllowedSetIsRefusedWithoutCorsHeaders() throws Exception {
        HttpResponse<byte[]> put = preflight("/v1/messages", LISTED, "PUT", "content-type");
        assertThat(put.statusCode()).isEqualTo(403);
        assertThat(header(put, "access-control-allow-origin")).isNull();
        assertThat(body(put)).contains("\"type\":\"permission_error\"").contains("method PUT is not allowed");

        HttpResponse<byte[]> odd = preflight("/v1/messages", LISTED, "POST", "content-type, x-internal-admin");
        assertThat(odd.statusCode()).isEqualTo(403);
        assertThat(header(odd, "access-control-allow-origin")).isNull();
        assertThat(body(odd)).contains("header x-internal-admin is not allowed");
    }

    @Test
    void aPreflightFromAForeignOrNullOriginIsRefused() throws Exception {
        for (String origin : new String[]{FOREIGN, "null", "https://app.example.com.evil.net", "http://app.example.com"}) {
            HttpResponse<byte[]> r = preflight("/v1/messages", origin, "POST", "content-type");
            assertThat(r.statusCode()).as(origin).isEqualTo(403);
            assertThat(header(r, "access-control-allow-origin")).as(origin).isNull();
            assertThat(header(r, "access-control-allow-credentials")).as(origin).isNull();
            assertThat(body(r)).as(origin).contains("not in cors.allowed_origins");
        }
    }

    @Test
    void aCallFromTheListedOriginCarriesAllowOriginCredentialsExposedHeadersAndVary() throws Exception {
        HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages").header("Origin", LISTED)
                .POST(HttpRequest.BodyPublishers.ofString(MESSAGE)).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, "access-control-allow-origin")).isEqualTo(LISTED);
        assertThat(header(r, "access-control-allow-credentials")).isEqualTo("true");
        assertThat(header(r, "access-control-expose-headers")).contains("request-id", "retry-after");
        assertThat(header(r, "vary")).isEqualTo("Origin");
    }

    @Test
    void anErrorForTheListedOriginIsReadableByThePageToo() throws Exception {
        HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("Origin", LISTED)
                .header("content-type", "application/json").header("x-api-key", "kw_not-a-key")
                .POST(HttpRequest.BodyPublishers.ofString(MESSAGE)).build());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(header(r, "access-control-allow-origin")).isEqualTo(LISTED);
    }

    @Test
    void aCallFromAForeignOrNullOriginGetsNoCorsHeadersSoTheBrowserHidesTheAnswer() throws Exception {
        for (String origin : new String[]{FOREIGN, "null"}) {
            HttpResponse<byte[]> r = gw.send(gw.request("/v1/models").header("Origin", origin).GET().build());
            assertThat(header(r, "access-control-allow-origin")).as(origin).isNull();
            assertThat(header(r, "access-control-allow-credentials")).as(origin).isNull();
            assertThat(header(r, "access-control-expose-headers")).as(origin).isNull();
            assertThat(header(r, "vary")).as(origin).isEqualTo("Origin");
        }
    }

    @Test
    void theWebEntryPointAndTheUiAreCoveredToo() throws Exception {
        HttpResponse<byte[]> session = gw.send(HttpRequest.newBuilder(gw.uri("/api/session")).header("Origin", LISTED).GET().build());
        assertThat(session.statusCode()).isEqualTo(401);
        assertThat(header(session, "access-control-allow-origin")).isEqualTo(LISTED);
        HttpResponse<byte[]> preflight = preflight("/api/session", LISTED, "DELETE", "x-csrf-token");
        assertThat(preflight.statusCode()).isEqualTo(204);
        HttpResponse<byte[]> page = gw.send(HttpRequest.newBuilder(gw.uri("/")).header("Origin", FOREIGN).GET().build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(header(page, "access-control-allow-origin")).isNull();
    }

    @Test
    void withCredentialsAListedOriginPassesTheWebOriginCheckAndAForeignOneDoesNot() throws Exception {
        String signIn = "{\"username\":\"nobody\",\"password\":\"not-the-password\"}";
        HttpResponse<byte[]> listed = gw.send(HttpRequest.newBuilder(gw.uri("/api/session")).header("Origin", LISTED)
                .header("Sec-Fetch-Site", "same-site").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(signIn)).build());
        assertThat(listed.statusCode()).as("judged on the password, not refused as cross-site").isEqualTo(401);
        assertThat(header(listed, "access-control-allow-origin")).isEqualTo(LISTED);
        HttpResponse<byte[]> foreign = gw.send(HttpRequest.newBuilder(gw.uri("/api/session")).header("Origin", FOREIGN)
                .header("Sec-Fetch-Site", "cross-site").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(signIn)).build());
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(body(foreign)).contains("cross-site");
    }
}
