package dev.keywarden.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page on another origin (a second loopback port) calls the gateway directly with {@code keywarden-web} and a
 * short-lived token its own backend minted (bound to the page's origin), through CORS; a page on an origin the
 * gateway does not list is refused by the browser. Each "app" here is a small server with a page, the library (the
 * npm package's file, as an app would bundle it) and a {@code /token} backend that mints with its virtual key.
 * Runs {@code e2e/browser-cors.test.mjs} in Chromium.
 */
class BrowserCorsIT {

    /**
     * One app on its own origin: its page, its script, the library and a {@code /token} backend that mints a token
     * bound to this origin with the app's virtual key. The gateway's address and the key are set once it runs.
     */
    static final class App implements AutoCloseable {
        final HttpServer server;
        final String origin;
        final AtomicReference<URI> gateway = new AtomicReference<>();
        final AtomicReference<String> virtualKey = new AtomicReference<>();

        App(Path library) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            origin = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpClient http = HttpClient.newHttpClient();
            server.createContext("/", exchange -> {
                switch (exchange.getRequestURI().getPath()) {
                    case "/" -> send(exchange, 200, "text/html", """
                            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another app</title>
                            <script type="module" src="/page.js"></script></head><body><h1>Another app</h1><p id="result">…</p></body></html>""");
                    case "/keywarden-web.js" -> send(exchange, 200, "text/javascript", Files.readString(library));
                    case "/page.js" -> send(exchange, 200, "text/javascript", """
                            import { GatewayClient } from '/keywarden-web.js';
                            const client = new GatewayClient({ baseUrl: '%s', getToken: async () => (await fetch('/token', { method: 'POST' })).json() });
                            const out = document.getElementById('result');
                            client.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'from another origin' }] })
                              .finalText().then((text) => { out.textContent = 'answer: ' + text; },
                                (e) => { out.textContent = 'refused: ' + e.name + ' ' + e.message; });
                            """.formatted(gateway.get()));
                    case "/token" -> {
                        try {
                            HttpResponse<String> minted = http.send(HttpRequest.newBuilder(gateway.get().resolve("/v1/keywarden/tokens"))
                                    .header("x-api-key", virtualKey.get()).header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"ttl_seconds\":300,\"origins\":[\"" + origin + "\"]}"))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            send(exchange, minted.statusCode(), "application/json", minted.body());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            send(exchange, 503, "text/plain", "interrupted");
                        }
                    }
                    default -> send(exchange, 404, "text/plain", "not found");
                }
            });
            server.start();
        }

        void use(TestGateway gw) {
            gateway.set(gw.gateway.baseUri());
            virtualKey.set(gw.virtualKey);
        }

        static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", type + "; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void aPageOnAListedOriginCallsTheGatewayThroughCorsAndAnUnlistedOneIsRefused() throws Exception {
        Path e2e = NodeE2e.prepared();
        Path chromium = NodeE2e.chromium();
        Path library = NodeE2e.basedir().resolve("clients/keywarden-web/keywarden-web.js");
        // the apps' ports are bound first: the gateway's allow-list (cors.allowed_origins) is read at start-up
        try (App listed = new App(library); App unlisted = new App(library);
             TestGateway gw = TestGateway.start(Map.of("KEYWARDEN_CORS_ALLOWED_ORIGINS", listed.origin))) {
            listed.use(gw);
            unlisted.use(gw);
            int before = gw.upstream.requestCount();
            NodeE2e.Result run = NodeE2e.run(e2e, List.of("node", "--test", "--test-reporter=spec", "browser-cors.test.mjs"), Map.of(
                    "KEYWARDEN_LISTED_PAGE", listed.origin + "/",
                    "KEYWARDEN_UNLISTED_PAGE", unlisted.origin + "/",
                    "KEYWARDEN_SCREENSHOTS", NodeE2e.basedir().resolve("target/screenshots").toString(),
                    "KEYWARDEN_CHROMIUM", chromium.toString()), false, 120);
            assertThat(run.exit()).as("node --test browser-cors.test.mjs failed:\n%s", run.output()).isZero();
            assertThat(gw.upstream.requestCount() - before).as("only the listed page's call reached upstream").isEqualTo(1);
        }
    }
}
