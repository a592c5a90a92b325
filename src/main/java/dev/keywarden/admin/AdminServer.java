package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.config.HostPort;
import dev.keywarden.config.TlsConfig;
import dev.keywarden.gateway.ApiErrors;
import dev.keywarden.gateway.JsonErrorHandler;
import dev.keywarden.gateway.tls.Connectors;
import dev.keywarden.gateway.tls.TlsContext;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.store.StoreException;
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

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * The admin API on its own listener (default 127.0.0.1:8788), separate from client traffic.
 *
 * <p>Guarantees: every request needs {@code Authorization: Bearer kwadm_…} (checked against hashed
 * tokens, see {@link AdminTokens}); a token with the {@code read} role may only GET (403 otherwise);
 * bodies are limited to 64 KB; every error, including those Jetty itself produces (431, malformed
 * HTTP), is JSON in Anthropic's shape and never echoes a secret or names an exception class: a store
 * that cannot be read is a 503, bad UTF-8 or bad JSON a 400, an unknown path a 404, a wrong method a
 * 405; every state-changing call is recorded as a security event naming the operation and the
 * caller's token id (never bodies).
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
    private static final int MAX_BODY = 64 * 1024;
    /** The admin listener's limit on a request's header block (Jetty's default); larger gets a 431 naming it. */
    static final int MAX_HEADER_BYTES = 8 * 1024;

    private final Server server;
    private final ServerConnector connector;
    private final Connectors.Opened opened;

    private AdminServer(Server server, Connectors.Opened opened) {
        this.server = server;
        this.connector = opened.connector();
        this.opened = opened;
    }

    /** Starts a plain-HTTP listener; throws {@link IllegalStateException} naming the address when it cannot bind. */
    public static AdminServer start(HostPort listen, AdminTokens tokens, AdminRoutes routes, SecurityEvents events) {
        return start(listen, Optional.empty(), tokens, routes, events);
    }

    /**
     * Starts the listener, with TLS (HTTP/2 by ALPN) when {@code tls} is given; throws {@link IllegalStateException}
     * naming the address when it cannot bind, a one-line configuration error when the TLS files are unusable.
     */
    public static AdminServer start(HostPort listen, Optional<TlsConfig> tls, AdminTokens tokens, AdminRoutes routes,
                                    SecurityEvents events) {
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("kw-admin");
        threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("kw-admin-request"));
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        Connectors.Opened opened = Connectors.open(server, http, tls, false);
        ServerConnector connector = opened.connector();
        connector.setHost(listen.host());
        connector.setPort(listen.port());
        server.addConnector(connector);
        server.setHandler(new AdminHandler(tokens, routes, events));
        server.setErrorHandler(new JsonErrorHandler(MAX_HEADER_BYTES));
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing
            }
            opened.tls().ifPresent(TlsContext::close);
            throw new IllegalStateException("cannot listen on " + listen + " for the admin API: " + e.getMessage(), e);
        }
        return new AdminServer(server, opened);
    }

    public URI baseUri() {
        return URI.create(opened.scheme() + "://" + connector.getHost() + ":" + connector.getLocalPort());
    }

    /** What this listener serves, in words for the start-up line. */
    public String protocols() {
        return opened.protocols();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // best effort on shutdown
        }
        opened.tls().ifPresent(TlsContext::close);
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
        public boolean handle(Request request, Response response, Callback callback) {
            String requestId = "req_kwadm_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
            String method = request.getMethod();
            String path = request.getHttpURI().getPath();
            try {
                serve(request, response, callback, requestId, method, path == null ? "/" : path);
            } catch (AdminError e) {
                ApiErrors.write(response, callback, e.status, e.type, e.getMessage(), requestId);
            } catch (StoreException e) {
                LOG.warn("admin {} {} failed: the store is unavailable: {}", method, path, e.getMessage());
                ApiErrors.write(response, callback, 503, ErrorType.API,
                        "admin API: the store is unavailable, try again shortly (" + e.getMessage() + ")", requestId);
            } catch (IllegalArgumentException e) {
                ApiErrors.write(response, callback, 400, ErrorType.INVALID_REQUEST, String.valueOf(e.getMessage()), requestId);
            } catch (Exception e) {
                LOG.warn("admin {} {} failed ({}): {}", method, path, e.getClass().getSimpleName(), e.getMessage());
                ApiErrors.write(response, callback, 500, ErrorType.API,
                        "admin operation failed; the gateway log has the details (request id " + requestId + ")", requestId);
            }
            return true;
        }

        private void serve(Request request, Response response, Callback callback, String requestId, String method,
                           String path) throws Exception {
            String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
            AdminTokens.Info caller = switch (tokens.check(presented)) {
                case AdminTokens.Check.Valid v -> v.token();
                case AdminTokens.Check.Refused r -> {
                    events.record(SecurityEvent.of("admin.auth_failed", Request.getRemoteAddr(request), Map.of("path", path)));
                    throw new AdminError(401, ErrorType.AUTHENTICATION, r.message());
                }
            };
            AdminRoutes.Match match = routes.match(method, path);
            if (match.operation() == null) {
                throw match.pathKnown()
                        ? new AdminError(405, ErrorType.INVALID_REQUEST, "method not allowed: " + method + " " + path)
                        : AdminError.notFound("no such admin endpoint: " + method + " " + path);
            }
            if (!caller.role().permits(method)) {
                events.record(SecurityEvent.of("admin.permission_denied", caller.id(),
                        Map.of("method", method, "path", path, "role", caller.role().wireName())));
                throw new AdminError(403, ErrorType.PERMISSION, "admin API: this admin token has the read role, which may"
                        + " only read (GET); " + method + " " + path + " needs a token with the admin role");
            }
            JsonNode body = readBody(request);
            Object result = match.operation().apply(match.params(), body);
            if (!method.equals("GET")) {
                Map<String, String> details = new java.util.HashMap<>(match.params());
                details.put("admin_token_id", caller.id());
                events.record(SecurityEvent.of("admin.action", method + " " + path, details));
            }
            boolean text = result instanceof PlainText;
            byte[] bytes = text ? ((PlainText) result).body().getBytes(StandardCharsets.UTF_8)
                    : JSON.writeValueAsBytes(result == null ? Map.of("ok", true) : result);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, text ? ((PlainText) result).contentType() : "application/json");
            response.getHeaders().put("request-id", requestId);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }

        /** The body as a JSON object (empty when there is none); 413 over 64 KB, 400 for bad UTF-8 or bad JSON. */
        private static JsonNode readBody(Request request) throws IOException {
            if (request.getLength() == 0) {
                return JSON.createObjectNode();
            }
            if (request.getLength() > MAX_BODY) {
                throw new AdminError(413, ErrorType.REQUEST_TOO_LARGE, "admin request body is larger than 64 KB");
            }
            byte[] bytes;
            try (InputStream in = Content.Source.asInputStream(request)) {
                bytes = in.readNBytes(MAX_BODY + 1);
            }
            if (bytes.length > MAX_BODY) {
                throw new AdminError(413, ErrorType.REQUEST_TOO_LARGE, "admin request body is larger than 64 KB");
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw AdminError.badRequest("admin request body is not valid UTF-8");
            }
            if (text.isBlank()) {
                return JSON.createObjectNode();
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
