package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.config.HostPort;
import dev.keywarden.gateway.ApiErrors;
import dev.keywarden.pipeline.ErrorType;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;

/**
 * The admin API on its own listener (default 127.0.0.1:8788), separate from client traffic.
 *
 * <p>Guarantees: every request needs {@code Authorization: Bearer kwadm_…} (checked against hashed
 * tokens); bodies are limited to 64 KB; errors use Anthropic's shape and never echo a secret;
 * every state-changing call is recorded as a security event naming the operation (never bodies).
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
    private static final int MAX_BODY = 64 * 1024;

    private final Server server;
    private final ServerConnector connector;

    private AdminServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /** Starts the listener; throws {@link IllegalStateException} naming the address when it cannot bind. */
    public static AdminServer start(HostPort listen, AdminTokens tokens, AdminRoutes routes, SecurityEvents events) {
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("kw-admin");
        threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("kw-admin-request"));
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(listen.host());
        connector.setPort(listen.port());
        server.addConnector(connector);
        server.setHandler(new AdminHandler(tokens, routes, events));
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IllegalStateException("cannot listen on " + listen + " for the admin API: " + e.getMessage(), e);
        }
        return new AdminServer(server, connector);
    }

    public URI baseUri() {
        return URI.create("http://" + connector.getHost() + ":" + connector.getLocalPort());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // best effort on shutdown
        }
    }

    static final class AdminHandler extends Handler.Abstract {
        private final AdminTokens tokens;
        private final AdminRoutes routes;
        private final SecurityEvents events;

        AdminHandler(AdminTokens tokens, AdminRoutes routes, SecurityEvents events) {
            super(InvocationType.BLOCKING);
            this.tokens = tokens;
            this.routes = routes;
            this.events = events;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String requestId = "req_kwadm_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
            String method = request.getMethod();
            String path = request.getHttpURI().getPath();
            String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
            if (!tokens.verify(token)) {
                events.record(SecurityEvent.of("admin.auth_failed", Request.getRemoteAddr(request), Map.of("path", path)));
                ApiErrors.write(response, callback, 401, ErrorType.AUTHENTICATION,
                        "admin API: send an admin token as Authorization: Bearer kwadm_… (create one with keywarden admin create-token)", requestId);
                return true;
            }
            AdminRoutes.Match match = routes.match(method, path);
            if (match.operation() == null) {
                ApiErrors.write(response, callback, match.pathKnown() ? 405 : 404,
                        match.pathKnown() ? ErrorType.INVALID_REQUEST : ErrorType.NOT_FOUND,
                        (match.pathKnown() ? "method not allowed: " : "no such admin endpoint: ") + method + " " + path, requestId);
                return true;
            }
            try {
                JsonNode body = readBody(request);
                Object result = match.operation().apply(match.params(), body);
                if (!method.equals("GET")) {
                    events.record(SecurityEvent.of("admin.action", method + " " + path, match.params()));
                }
                boolean text = result instanceof PlainText;
                byte[] bytes = text ? ((PlainText) result).body().getBytes(java.nio.charset.StandardCharsets.UTF_8)
                        : JSON.writeValueAsBytes(result == null ? Map.of("ok", true) : result);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, text ? ((PlainText) result).contentType() : "application/json");
                response.getHeaders().put("request-id", requestId);
                response.write(true, ByteBuffer.wrap(bytes), callback);
            } catch (AdminError e) {
                ApiErrors.write(response, callback, e.status, e.type, e.getMessage(), requestId);
            } catch (RuntimeException e) {
                LOG.warn("admin {} {} failed: {}", method, path, e.toString());
                ApiErrors.write(response, callback, 500, ErrorType.API, "admin operation failed: " + e.getMessage(), requestId);
            }
            return true;
        }

        private static JsonNode readBody(Request request) throws Exception {
            if (request.getLength() == 0) {
                return JSON.createObjectNode();
            }
            if (request.getLength() > MAX_BODY) {
                throw new AdminError(413, ErrorType.REQUEST_TOO_LARGE, "admin request body is larger than 64 KB");
            }
            String text = Content.Source.asString(request);
            if (text.isBlank()) {
                return JSON.createObjectNode();
            }
            if (text.length() > MAX_BODY) {
                throw new AdminError(413, ErrorType.REQUEST_TOO_LARGE, "admin request body is larger than 64 KB");
            }
            try {
                JsonNode node = JSON.readTree(text);
                if (node == null || !node.isObject()) {
                    throw AdminError.badRequest("admin request body must be a JSON object");
                }
                return node;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw AdminError.badRequest("admin request body is not valid JSON");
            }
        }
    }
}
