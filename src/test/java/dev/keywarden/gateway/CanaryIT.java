package dev.keywarden.gateway;

import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.RawHttp;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plants a canary provider key of the real shape, drives every proxy path (success, streams,
 * every upstream error, every refusal, unreachable and rejecting upstreams) with every logger at
 * DEBUG, and proves that neither the provider key nor the client's virtual key appears in any
 * response header or body, nor in any log line.
 */
class CanaryIT {

    @Test
    void plantedProviderKeyAndClientKeyNeverAppearInResponsesOrLogs() throws Exception {
        String canary = TestKeys.canaryProviderKey();
        List<String> responses = new ArrayList<>();
        String logs;
        String virtualKey;
        try (LogCapture capture = LogCapture.startDebugEverything()) {
            try (TestGateway gw = TestGateway.start(canary, Map.of("KEYWARDEN_MAX_BODY_BYTES", "64KB",
                    "KEYWARDEN_UPSTREAM_IDLE_TIMEOUT", "1s"))) {
                virtualKey = gw.virtualKey;
                for (String scenario : new String[] {"pings", "padded", "crlf", "mid_stream_error", "rate_limit", "overloaded",
                        "server_error", "bad_gateway_html", "hang"}) {
                    gw.send(gw.request("/v1/messages").header("x-fake-scenario", scenario)
                            .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("canary " + scenario, true))).build());
                    gw.send(gw.request("/v1/messages").header("x-fake-scenario", scenario)
                            .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("canary " + scenario, false))).build());
                }
                gw.send(gw.request("/v1/messages/count_tokens").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"m\",\"messages\":[]}")).build());
                gw.send(gw.request("/v1/models").GET().build());
                gw.send(gw.request("/v1/models/nope").GET().build());
                gw.send(gw.request("/v1/messages/batches").GET().build());
                gw.send(gw.request("/v1/nowhere").GET().build());
                gw.send(gw.request("/v1/messages").GET().build());
                gw.postMessages("{broken");
                gw.postMessages("{\"pad\":\"" + "p".repeat(70_000) + "\"}");
                gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("x-api-key", canary)
                        .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("client sent the provider key", false))).build());
                gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("authorization", "Bearer kw_" + "W".repeat(38))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
                gw.send(HttpRequest.newBuilder(gw.uri("/readyz")).GET().build());
                try (RawHttp raw = new RawHttp(gw.gateway.baseUri(), 3000)) {
                    responses.add(raw.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nx-api-key: " + gw.virtualKey
                            + "\r\nx-big: " + "b".repeat(40_000) + "\r\n\r\n").readAvailable(65536));
                }
                responses.addAll(gw.responsesSeen());
            }
            try (TestGateway rejecting = TestGateway.withWrongProviderKey(Map.of())) {
                rejecting.postMessages(TestGateway.messageBody("hi", false));
                responses.addAll(rejecting.responsesSeen());
            }
            int closedPort;
            try (ServerSocket s = new ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }
            try (TestGateway down = TestGateway.pointedAt(URI.create("http://127.0.0.1:" + closedPort), Map.of())) {
                down.postMessages(TestGateway.messageBody("hi", false));
                responses.addAll(down.responsesSeen());
            }
            logs = capture.text();
        }
        assertThat(responses).hasSizeGreaterThan(25);
        assertThat(logs).as("DEBUG logging did run").contains("DEBUG");
        assertThat(logs).as("libraries did log credential headers, which the redactor masked").contains("[redacted]");
        String secretPart = canary.substring("sk-ant-api03-".length(), canary.length() - 4);
        for (String r : responses) {
            assertThat(r).doesNotContain(canary).doesNotContain(secretPart.substring(0, 24));
            assertThat(r).doesNotContain(virtualKey);
        }
        assertThat(logs).doesNotContain(canary);
        for (int i = 0; i + 16 <= secretPart.length(); i += 16) {
            assertThat(logs).doesNotContain(secretPart.substring(i, i + 16));
        }
        assertThat(logs).doesNotContain(virtualKey);
        assertThat(logs).doesNotContain(virtualKey.substring(3, 20));
    }
}
