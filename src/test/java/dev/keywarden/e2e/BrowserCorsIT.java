package dev.keywarden.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.Disabled;
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

    /** One app on its own origin: the page, its script, the library and a token backend. */
    static final class App implements AutoCloseable {
        final HttpServer server;
        final String origin;

        App(Path library, AtomicReference<URI> gateway, String virtualKey) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            origin = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpClient http = HttpClient.newHttpClient();
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                switch (path) {
                    case "/" -> send(exchange, 200, "text/html", """
                            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another app</title>
                            <script type="module" src="/page.js"></script></head><body><h1>Another app</h1><p id="result">…</p></body></html>""");
                    case "/keywarden-web.js" -> send(exchange, 200, "text/javascript", Files.readString(library));
                    case "/page.js" -> send(exchange, 200, "text/javascript", """
                            import { GatewayClient } from '/keywarden-web.js';
                            const client = new GatewayClient({ baseUrl: %s, getToken: async () => (await fetch('/token', { method: 'POST' })).json() });
                            const out = document.getElementById('result');
                            client.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'from another origin' }] })
                              .finalText().then((text) => { out.textContent = 'answer: ' + text; },
                                (e) => { out.textContent = 'refused: ' + e.name + ' ' + (e.status ?? '') + ' ' + e.message; });
                            """.formatted("'" + gateway.get() + "'"));
                    case "/token" -> {
                        try {
                            HttpResponse<String> minted = http.send(HttpRequest.newBuilder(gateway.get().resolve("/v1/keywarden/tokens"))
                                    .header("x-api-key", virtualKey).header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\\"ttl_seconds\\":300,\\"origins\\":[\\"" + origin + "\\"]}"))
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
    @Disabled("needs CORS from branch browsersec: the gateway answers no preflight yet, so the browser refuses both pages")
    void aPageOnAListedOriginCallsTheGatewayThroughCorsAndAnUnlistedOneIsRefused() throws Exception {
        Path e2e = NodeE2e.prepared();
        Path chromium = NodeE2e.chromium();
        Path library = NodeE2e.basedir().resolve("clients/keywarden-web/keywarden-web.js");
        AtomicReference<URI> gateway = new AtomicReference<>();
        AtomicReference<String> key = new AtomicReference<>();
        try (App listed = new App(library, gateway, "pending"); App unlisted = new App(library, gateway, "pending")) {
            listed.close();
            unlisted.close();
        }
        // the apps need the virtual key, the gateway needs the apps' origins: origins first, then the gateway, then the apps
        HttpServer probe = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        probe.stop(0);
        try (TestGateway gw = startWithCorsFor(gateway, key)) {
            try (App listed = new App(library, gateway, gw.virtualKey); App unlisted = new App(library, gateway, gw.virtualKey)) {
                configureAllowedOrigin(gw, listed.origin);
                NodeE2e.Result run = NodeE2e.run(e2e, List.of("node", "--test", "--test-reporter=spec", "browser-cors.test.mjs"), Map.of(
                        "KEYWARDEN_LISTED_PAGE", listed.origin + "/",
                        "KEYWARDEN_UNLISTED_PAGE", unlisted.origin + "/",
                        "KEYWARDEN_SCREENSHOTS", NodeE2e.basedir().resolve("target/screenshots").toString(),
                        "KEYWARDEN_CHROMIUM", chromium.toString()), false, 120);
                assertThat(run.exit()).as("node --test browser-cors.test.mjs failed:\n%s", run.output()).isZero();
            }
        }
    }

    private static TestGateway startWithCorsFor(AtomicReference<URI> gateway, AtomicReference<String> key) throws IOException {
        TestGateway gw = TestGateway.start(Map.of());
        gateway.set(gw.gateway.baseUri());
        key.set(gw.virtualKey);
        return gw;
    }

    /**
     * Lists {@code origin} in the gateway's CORS allow-list. Placeholder until branch browsersec lands: there the
     * setting is {@code cors.allowed_origins} (KEYWARDEN_CORS_ALLOWED_ORIGINS), read at start-up, so the apps' ports
     * must be bound before the gateway starts; this test then binds them first and passes the setting to
     * {@link TestGateway#start}.
     */
    private static void configureAllowedOrigin(TestGateway gw, String origin) {
        assertThat(origin).startsWith("http://127.0.0.1:");
    }
}
