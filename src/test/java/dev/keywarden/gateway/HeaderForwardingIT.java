package dev.keywarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.config.ConfigException;
import dev.keywarden.testing.RawHttp;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.upstream.fake.RecordedExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which request headers reach upstream (an allow-list: the ones the API uses) and how large a
 * header block may be: whatever the gateway's listener accepts, its upstream client can send; beyond
 * the listener's limit the client gets a 431 in Anthropic's error shape, never a 502.
 */
class HeaderForwardingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    static TestGateway gw;

    @BeforeAll
    static void start() throws IOException {
        gw = TestGateway.start(Map.of());
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @BeforeEach
    void clear() {
        gw.upstream.clearExchanges();
    }

    private static String post(String extraHeaderLines) throws IOException {
        String body = TestGateway.messageBody("headers", false);
        try (RawHttp raw = new RawHttp(gw.gateway.baseUri(), 10_000)) {
            raw.send("POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + gw.virtualKey
                    + "\r\ncontent-type: application/json\r\n" + extraHeaderLines
                    + "content-length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\nconnection: close\r\n\r\n" + body);
            return raw.readAvailable(256 * 1024);
        }
    }

    /** About {@code kib} KiB of {@code x-stainless-pad-N} headers: ones the gateway forwards, so they travel upstream too. */
    private static String padding(int kib) {
        StringBuilder sb = new StringBuilder();
        int written = 0;
        for (int i = 0; written < kib * 1024; i++) {
            String line = "x-stainless-pad-" + i + ": " + "p".repeat(1000) + "\r\n";
            sb.append(line);
            written += line.length();
        }
        return sb.toString();
    }

    private static RecordedExchange onlyUpstreamExchange() {
        List<RecordedExchange> all = gw.upstream.exchanges();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    private static JsonNode body(String response) throws IOException {
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 12, 14})
    void oneLargeHeaderTheListenerAcceptsIsSentUpstream(int kib) throws Exception {
        String value = "v".repeat(kib * 1024 - 600);
        String response = post("anthropic-beta: " + value + "\r\n");

        assertThat(status(response)).as(response.lines().findFirst().orElse("") + response.substring(Math.max(0, response.length() - 300)))
                .isEqualTo(200);
        assertThat(onlyUpstreamExchange().header("anthropic-beta")).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 12, 14})
    void everyHeaderBlockTheListenerAcceptsIsSentUpstream(int kib) throws Exception {
        String response = post(padding(kib));

        assertThat(status(response)).as(response.lines().findFirst().orElse("")).isEqualTo(200);
        RecordedExchange up = onlyUpstreamExchange();
        assertThat(up.headers().keySet().stream().filter(h -> h.startsWith("x-stainless-pad-")).count())
                .isEqualTo(padding(kib).lines().count());
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 40})
    void aHeaderBlockOverTheListenersLimitIs431InAnthropicsShapeAndNeverGoesUpstream(int kib) throws Exception {
        String response = post(padding(kib));

        assertThat(status(response)).isEqualTo(431);
        JsonNode error = body(response);
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.at("/error/message").asText()).startsWith("the request headers are too large").contains("limit of 16384 bytes");
        assertThat(error.path("request_id").asText()).isNotBlank();
        assertThat(gw.upstream.requestCount()).isZero();
    }

    @Test
    void onlyTheHeadersTheApiUsesAreForwarded() throws Exception {
        String response = post("""
                anthropic-version: 2023-06-01\r
                anthropic-beta: mid-conversation-system-2026-04-07\r
                anthropic-dangerous-direct-browser-access: true\r
                accept: application/json\r
                user-agent: claude-cli/2.1.328 (external, sdk-cli)\r
                x-stainless-lang: js\r
                X-Stainless-Retry-Count: 0\r
                accept-encoding: gzip, deflate\r
                cookie: session=abc\r
                proxy-authorization: Basic cHJveHk6c2VjcmV0\r
                x-forwarded-for: 10.1.2.3\r
                x-forwarded-host: internal.example\r
                x-real-ip: 10.1.2.3\r
                forwarded: for=10.1.2.3\r
                via: 1.1 corp-proxy\r
                x-internal-trace: abc\r
                x-app: cli\r
                origin: https://app.example\r
                referer: https://app.example/chat\r
                """);

        assertThat(status(response)).isEqualTo(200);
        RecordedExchange up = onlyUpstreamExchange();
        assertThat(new TreeSet<>(up.headers().keySet())).containsExactlyElementsOf(new TreeSet<>(List.of(
                "host", "content-length", "content-type", "accept", "user-agent", "accept-encoding", "x-api-key",
                "anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access",
                "x-stainless-lang", "x-stainless-retry-count")));
        assertThat(up.header("x-api-key")).isEqualTo(gw.providerKey);
        assertThat(up.headers().get("accept-encoding")).as("the gateway meters usage, so it asks for identity").containsExactly("identity");
        assertThat(up.header("user-agent")).isEqualTo("claude-cli/2.1.328 (external, sdk-cli)");
        assertThat(up.query()).isEqualTo("beta=true");
    }

    @Test
    void anOperatorMayForwardMoreHeadersByNameOrPrefix() throws Exception {
        try (TestGateway more = TestGateway.start(Map.of("KEYWARDEN_UPSTREAM_FORWARD_HEADERS", "x-app, X-Claude-Code-*"))) {
            var r = more.send(more.request("/v1/messages").header("x-app", "cli").header("x-claude-code-session-id", "s-1")
                    .header("x-other", "no").POST(java.net.http.HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false)))
                    .build());
            assertThat(r.statusCode()).isEqualTo(200);
            RecordedExchange up = more.upstream.exchanges().get(0);
            assertThat(up.header("x-app")).isEqualTo("cli");
            assertThat(up.header("x-claude-code-session-id")).isEqualTo("s-1");
            assertThat(up.header("x-other")).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cookie", "Authorization", "x-forwarded-*", "proxy-authorization", "host", "x-*", "*"})
    void credentialsCookiesHopByHopAndProxyHeadersCannotBeAddedToTheList(String name) {
        assertThatThrownBy(() -> TestGateway.start(Map.of("KEYWARDEN_UPSTREAM_FORWARD_HEADERS", "x-app," + name)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("upstream.forward_headers (KEYWARDEN_UPSTREAM_FORWARD_HEADERS): ");
    }
}
