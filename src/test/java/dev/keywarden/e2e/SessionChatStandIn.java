package dev.keywarden.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keywarden.auth.Principal;
import dev.keywarden.byok.ByokSession;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.Pipeline;
import dev.keywarden.pipeline.Route;
import dev.keywarden.testing.CollectingSink;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.upstream.fake.RecordedExchange;
import dev.keywarden.users.SessionRecord;
import dev.keywarden.users.SessionService;
import dev.keywarden.users.User;
import org.eclipse.jetty.http.HttpFields;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the session chat entry point ({@code POST /api/chat}, not served yet) in the browser tests: a loopback
 * server that runs a page's Messages request through the gateway's own pipeline as the browser's session, with the
 * session's BYOK view attached, exactly as docs/byok.md tells a session entry point to do. So a key held for the
 * session (session-only, or sealed and unlocked) is what the fake upstream sees. It answers:
 * <ul>
 *   <li>{@code POST /chat} with header {@code x-session} (the {@code kw_session} cookie's value): the pipeline's
 *       answer (status, content type, body); 401 when the session is unknown;</li>
 *   <li>{@code GET /upstream-key}: the SHA-256 (hex) of the key the fake upstream saw on the last
 *       {@code /v1/messages} call, as {@link dev.keywarden.upstream.fake.FakeUpstream#fingerprintOf}.</li>
 * </ul>
 */
final class SessionChatStandIn implements AutoCloseable {

    private final HttpServer server;
    private final TestGateway gw;

    private SessionChatStandIn(TestGateway gw) throws IOException {
        this.gw = gw;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/chat", this::chat);
        server.createContext("/upstream-key", this::upstreamKey);
        server.start();
    }

    static SessionChatStandIn start(TestGateway gw) throws IOException {
        return new SessionChatStandIn(gw);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void chat(HttpExchange exchange) throws IOException {
        try (exchange) {
            String token = exchange.getRequestHeaders().getFirst("x-session");
            byte[] body = exchange.getRequestBody().readAllBytes();
            Optional<SessionService.ActiveSession> session = token == null ? Optional.empty()
                    : gw.gateway.users().sessions().resolve(token);
            if (session.isEmpty()) {
                send(exchange, 401, "application/json",
                        "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"not signed in\"}}");
                return;
            }
            SessionRecord record = session.get().record();
            User u = gw.gateway.users().users().find(record.userId()).orElseThrow();
            Principal p = gw.gateway.users().users().principals().current(u.principalId()).orElseThrow();
            ClientIdentity id = new ClientIdentity("session", record.id(), "session:" + u.username(), u.username(), p.id(),
                    p.name(), p.kind().wireName(), p.tier());
            ByokSession byok = gw.gateway.byok().session(token, record.id(), u.id(), record.expiresAt());
            HttpFields headers = HttpFields.build().put("anthropic-version", "2023-06-01").put("content-type", "application/json")
                    .asImmutable();
            CollectingSink sink = new CollectingSink();
            gw.gateway.pipeline().run(new Pipeline.Call(Route.MESSAGES, "POST", "/v1/messages", null, headers, "127.0.0.1", id,
                    null, body), sink, x -> x.attach(ByokSession.class, byok));
            sink.ended.get(30, TimeUnit.SECONDS);
            String type = sink.header("content-type");
            send(exchange, sink.status(), type == null ? "application/json" : type, sink.text());
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private void upstreamKey(HttpExchange exchange) throws IOException {
        try (exchange) {
            List<RecordedExchange> calls = gw.upstream.exchanges().stream().filter(e -> e.path().equals("/v1/messages")).toList();
            send(exchange, 200, "text/plain", calls.isEmpty() ? "" : calls.get(calls.size() - 1).apiKeySha256());
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("content-type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
