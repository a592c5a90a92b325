package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpUpstreamKeyVerifierTest {

    private FakeUpstream fake;
    private HttpServer server;

    @AfterEach
    void stop() {
        if (fake != null) {
            fake.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theKeyUpstreamAcceptsIsValidAndAnotherIsRejectedWith401() {
        String good = TestKeys.canaryProviderKey();
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(good));
        HttpUpstreamKeyVerifier verifier = new HttpUpstreamKeyVerifier(fake.baseUri());

        assertThat(verifier.verify(bytes(good))).isEqualTo(new KeyVerification.Valid());
        assertThat(verifier.verify(bytes(TestKeys.canaryProviderKey())))
                .isEqualTo(new KeyVerification.Rejected(401, "authentication_error"));
        assertThat(fake.exchanges()).extracting(e -> e.method() + " " + e.path()).containsOnly("POST /v1/messages/count_tokens");
    }

    private URI serve(int status, String body, AtomicReference<String> seenKey) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/v1/messages/count_tokens")) {
                seenKey.set(exchange.getRequestHeaders().getFirst("x-api-key"));
            }
            byte[] b = bytes(body);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(status, b.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Test
    void a403IsRejectedAndTheKeyTravelsOnlyInTheApiKeyHeader() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        URI base = serve(403, "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"no\"}}", seen);
        String key = TestKeys.canaryProviderKey();

        KeyVerification v = new HttpUpstreamKeyVerifier(base).verify(bytes(key));

        assertThat(v).isEqualTo(new KeyVerification.Rejected(403, "permission_error"));
        assertThat(seen.get()).isEqualTo(key);
    }

    @Test
    void anOverloadedUpstreamCannotVerifyAndSaysWhyWithoutTheKey() throws Exception {
        URI base = serve(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}",
                new AtomicReference<>());
        String key = TestKeys.canaryProviderKey();

        KeyVerification v = new HttpUpstreamKeyVerifier(base).verify(bytes(key));

        assertThat(v).isInstanceOf(KeyVerification.Unverifiable.class);
        assertThat(((KeyVerification.Unverifiable) v).reason()).contains("529", "overloaded_error").doesNotContain(key);
    }

    @Test
    void anUnreachableUpstreamCannotVerify() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        KeyVerification v = new HttpUpstreamKeyVerifier(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2),
                HttpUpstreamKeyVerifier.DEFAULT_MODEL).verify(bytes(TestKeys.canaryProviderKey()));
        assertThat(v).isInstanceOf(KeyVerification.Unverifiable.class);
        assertThat(((KeyVerification.Unverifiable) v).reason()).contains("cannot reach upstream http://127.0.0.1:" + port);
    }
}
