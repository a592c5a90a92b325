package dev.keywarden.gateway;

import dev.keywarden.pipeline.Route;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.Readiness;
import dev.keywarden.pipeline.Preflight;
import dev.keywarden.pipeline.LocalEndpoint;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.CredentialGuard;
import dev.keywarden.pipeline.Admission;
import dev.keywarden.pipeline.AddressGuard;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.Authenticator;
import dev.keywarden.config.ServerConfig;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.guard.OutputGuard;
import dev.keywarden.guard.RequestGuard;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.ProviderKeys;
import dev.keywarden.vault.crypto.VaultSealedException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The request pipeline, in order:
 * <ol>
 *   <li>route (404 unknown path, 405 wrong method) — health endpoints answer here;</li>
 *   <li>authenticate the client credential (401), before any body is read;</li>
 *   <li>read the body within the size limit (413 by {@code Content-Length} without reading, or
 *       while reading) and check it is one JSON object (400);</li>
 *   <li>check the credential's own scopes ({@link CredentialGuard}, 403);</li>
 *   <li>guardrails on the body ({@link RequestGuard}: validation, secrets, prompt injection; 400/403
 *       when a check blocks, a redacted body when secrets are redacted);</li>
 *   <li>preflights and admissions (suspension, audit availability, rate limits, budgets);</li>
 *   <li>answer a gateway-served route ({@link LocalEndpoint}) here — it never goes upstream;</li>
 *   <li>pick the provider key (503 when none can serve), then spend one use of a limited credential (401 when none is left);</li>
 *   <li>forward to upstream and relay the response ({@link UpstreamExchange});</li>
 *   <li>report one {@link ExchangeRecord} to the observers.</li>
 * </ol>
 * No refused request reaches upstream.
 *
 * <p>Runs on a virtual thread: the steps before forwarding may block (reading a slow body, the store).
 */
final class GatewayHandler extends Handler.Abstract {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GatewayHandler.class);

    private final Authenticator authenticator;
    private final ProviderKeys providerKeys;
    private final HttpClient upstream;
    private final String upstreamBase;
    private final long upstreamIdleMillis;
    private final long maxBodyBytes;
    private final List<ExchangeObserver> observers;
    private final List<Readiness> readiness;
    private final List<Preflight> preflights;
    private final List<Admission> admissions;
    private final AddressGuard addressGuard;
    private final CredentialGuard credentialGuard;
    private final java.util.Map<Route, LocalEndpoint> endpoints;
    private final RequestGuard requestGuard;
    private final OutputGuard outputGuard;

    GatewayHandler(Authenticator authenticator, ProviderKeys providerKeys, HttpClient upstream,
                   UpstreamConfig upstreamConfig, ServerConfig serverConfig,
                   List<ExchangeObserver> observers, List<Readiness> readiness, List<Preflight> preflights,
                   List<Admission> admissions, AddressGuard addressGuard, CredentialGuard credentialGuard,
                   java.util.Map<Route, LocalEndpoint> endpoints, RequestGuard requestGuard, OutputGuard outputGuard) {
        super(InvocationType.BLOCKING);
        this.authenticator = authenticator;
        this.providerKeys = providerKeys;
        this.upstream = upstream;
        this.upstreamBase = upstreamConfig.url().toString();
        this.upstreamIdleMillis = upstreamConfig.idleTimeout().toMillis();
        this.maxBodyBytes = serverConfig.maxBodyBytes();
        this.observers = List.copyOf(observers);
        this.readiness = List.copyOf(readiness);
        this.preflights = List.copyOf(preflights);
        this.admissions = List.copyOf(admissions);
        this.addressGuard = addressGuard;
        this.credentialGuard = credentialGuard;
        this.endpoints = java.util.Map.copyOf(endpoints);
        this.requestGuard = requestGuard;
        this.outputGuard = outputGuard;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        ExchangeState state = new ExchangeState(RequestIds.next(), request);
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        Router.Match match = Router.match(method, path);
        if (!match.found()) {
            if (match.methodNotAllowed()) {
                response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", match.allowedMethods()));
                return refuse(state, response, callback, 405, ErrorType.INVALID_REQUEST,
                        "method " + method + " is not allowed on " + path + "; use " + String.join(" or ", match.allowedMethods()));
            }
            return refuse(state, response, callback, 404, ErrorType.NOT_FOUND,
                    "no such endpoint: " + method + " " + abbreviate(path));
        }
        state.route = match.route();
        if (state.route.health()) {
            return health(state, response, callback);
        }

        if (ambiguousCredentials(request.getHeaders())) {
            return refuse(state, response, callback, 401, ErrorType.AUTHENTICATION,
                    "send exactly one credential: one x-api-key header or one Authorization: Bearer header");
        }
        String address = Request.getRemoteAddr(request);
        long locked = addressGuard.lockedForSeconds(address);
        if (locked > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(locked));
            return refuse(state, response, callback, 429, ErrorType.RATE_LIMIT,
                    "too many failed authentication attempts from this address; retry after " + locked + " seconds");
        }
        AuthOutcome auth;
        try {
            auth = authenticator.authenticate(presentedCredential(request.getHeaders()));
        } catch (RuntimeException storeDown) {
            LOG.error("request {}: credential check failed, refusing (fail closed): {}", state.requestId, storeDown.toString());
            return refuse(state, response, callback, 503, ErrorType.API,
                    "the gateway cannot verify credentials right now; retry shortly");
        }
        if (auth instanceof AuthOutcome.Rejected rejected) {
            addressGuard.failed(address);
            return refuse(state, response, callback, 401, ErrorType.AUTHENTICATION, rejected.message());
        }
        state.identity = ((AuthOutcome.Authenticated) auth).identity();

        long declared = request.getLength();
        if (declared > maxBodyBytes) {
            return refuse(state, response, callback, 413, ErrorType.REQUEST_TOO_LARGE, tooLarge());
        }
        BodyReader reader = new BodyReader(request, declared, maxBodyBytes);
        readAndContinue(state, reader, response, callback);
        return true;
    }

    /** Reads the rest of the body, waiting for it on this (virtual) thread, then runs the rest of the pipeline. */
    private void readAndContinue(ExchangeState state, BodyReader reader, Response response, Callback callback) {
        try {
            reader.readAll();
        } catch (BodyTooLarge e) {
            refuse(state, response, callback, 413, ErrorType.REQUEST_TOO_LARGE, tooLarge());
            return;
        } catch (BodyUnreadable e) {
            bodyUnreadable(state, response, callback);
            return;
        }
        afterBody(state, state.request, response, callback, reader.body());
    }

    private boolean bodyUnreadable(ExchangeState state, Response response, Callback callback) {
        state.clientAborted = true;
        return refuse(state, response, callback, 408, ErrorType.INVALID_REQUEST, "the request body did not arrive in time");
    }

    /** The pipeline once the whole body is in memory: inspect, preflights, admissions, provider key, forward. */
    private boolean afterBody(ExchangeState state, Request request, Response response, Callback callback, byte[] body) {
        state.bodyRead = true;
        if (body.length > 0 || state.route.bodyRequired()) {
            if (body.length == 0) {
                return refuse(state, response, callback, 400, ErrorType.INVALID_REQUEST,
                        "request body is empty; send a JSON object");
            }
            try {
                state.summary = JsonBodyInspector.inspect(body, body.length);
            } catch (JsonBodyInspector.InvalidBody e) {
                return refuse(state, response, callback, 400, ErrorType.INVALID_REQUEST, e.getMessage());
            }
        }

        try {
            credentialGuard.checkScope(state.identity, state.route, request.getHeaders().get(HttpHeader.ORIGIN), state.summary);
        } catch (Refusal refusal) {
            return refuse(state, response, callback, refusal.status(), refusal.type(), refusal.getMessage());
        }

        if (requestGuard != null) {
            try {
                body = requestGuard.inspect(state.route, state.identity, body, state.guard);
            } catch (Refusal refusal) {
                return refuse(state, response, callback, refusal.status(), refusal.type(), refusal.getMessage());
            } catch (RuntimeException guardFailed) {
                LOG.error("request {}: guardrails failed, refusing (fail closed): {}", state.requestId, guardFailed.getClass().getName()); // never the message: it could quote the prompt
                return refuse(state, response, callback, 500, ErrorType.API, "the gateway could not inspect this request; retry shortly");
            }
            if (state.route == Route.MESSAGES) {
                state.outputGuard = outputGuard;
            }
        }

        for (Preflight preflight : preflights) {
            try {
                preflight.check(state.identity, state.summary);
            } catch (Refusal refusal) {
                refusal.headers().forEach((name, value) -> response.getHeaders().put(name, value));
                return refuse(state, response, callback, refusal.status(), refusal.type(), refusal.getMessage());
            }
        }
        // rate limits: each admitted ticket is finished by ExchangeState.report when the exchange ends
        for (Admission admission : admissions) {
            try {
                state.admitted(admission.admit(state.identity, state.summary));
            } catch (Refusal refusal) {
                refusal.headers().forEach((name, value) -> response.getHeaders().put(name, value));
                return refuse(state, response, callback, refusal.status(), refusal.type(), refusal.getMessage());
            }
        }

        if (!state.route.proxied()) {
            return answerLocally(state, response, callback, body);
        }

        Optional<ProviderKey> key;
        try {
            key = providerKeys.select(state.route.id());
        } catch (VaultSealedException sealed) {
            return refuse(state, response, callback, 503, ErrorType.API,
                    "the key vault is sealed; an operator must unseal it (keywarden vault unseal) before requests can be served");
        } catch (RuntimeException vaultDown) {
            LOG.error("request {}: provider key selection failed, refusing (fail closed): {}", state.requestId, vaultDown.toString());
            return refuse(state, response, callback, 503, ErrorType.API,
                    "the gateway cannot open a provider key right now; retry shortly");
        }
        if (key.isEmpty()) {
            return refuse(state, response, callback, 503, ErrorType.API,
                    "no provider key is available to serve this request; an operator must add or unseal one");
        }
        try {
            credentialGuard.consume(state.identity);
        } catch (Refusal refusal) {
            return refuse(state, response, callback, refusal.status(), refusal.type(), refusal.getMessage());
        }
        state.providerKey = key.get().fingerprint();
        forward(state, request, response, callback, key.get(), body);
        return true;
    }

    private void forward(ExchangeState state, Request request, Response response, Callback callback, ProviderKey key, byte[] body) {
        String query = request.getHttpURI().getQuery();
        URI target;
        try {
            target = URI.create(upstreamBase + request.getHttpURI().getPath() + (query == null ? "" : "?" + query));
        } catch (IllegalArgumentException e) {
            refuse(state, response, callback, 400, ErrorType.INVALID_REQUEST, "the query string is not valid");
            return;
        }
        HttpFields.Mutable headers = HttpFields.build(request.getHeaders().size() + 2);
        java.util.Set<String> connectionTokens = GatewayHeaders.connectionTokens(request.getHeaders());
        for (HttpField f : request.getHeaders()) {
            if (GatewayHeaders.forwardRequestHeader(f.getHeader(), f.getName())
                    && (connectionTokens.isEmpty() || !connectionTokens.contains(f.getLowerCaseName()))) {
                headers.add(f);
            }
        }
        if (!headers.contains(GatewayHeaders.ANTHROPIC_VERSION)) {
            headers.put(GatewayHeaders.ANTHROPIC_VERSION, GatewayHeaders.DEFAULT_ANTHROPIC_VERSION);
        }
        headers.put(HttpHeader.ACCEPT_ENCODING, "identity");
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        UpstreamCall call = new UpstreamCall(upstream, request.getMethod(), target, headers.asImmutable(), body,
                contentType == null ? MimeTypes.Type.APPLICATION_JSON.asString() : contentType, upstreamIdleMillis);
        UpstreamExchange exchange = new UpstreamExchange(state, response, callback, observers, providerKeys, call, true);
        request.addFailureListener(failure -> UpstreamExchange.clientFailed(state, failure));
        request.addIdleTimeoutListener(timeout -> false);
        exchange.send(key);
    }

    /** A route the gateway answers itself; nothing is forwarded. */
    private boolean answerLocally(ExchangeState state, Response response, Callback callback, byte[] body) {
        LocalEndpoint endpoint = endpoints.get(state.route);
        if (endpoint == null) {
            return refuse(state, response, callback, 404, ErrorType.NOT_FOUND, "this gateway does not serve " + state.route.id());
        }
        LocalEndpoint.Answer answer;
        try {
            answer = endpoint.handle(state.identity, body);
        } catch (Refusal refusal) {
            return refuse(state, response, callback, refusal.status(), refusal.type(), refusal.getMessage());
        } catch (RuntimeException failed) {
            LOG.error("request {}: {} failed, refusing (fail closed): {}", state.requestId, state.route.id(), failed.toString());
            return refuse(state, response, callback, 503, ErrorType.API, "the gateway cannot serve " + state.route.id()
                    + " right now; retry shortly");
        }
        state.status = answer.status();
        state.addResponseHeaders(response.getHeaders());
        response.setStatus(answer.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(GatewayHeaders.REQUEST_ID, state.requestId);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.json().length);
        response.write(true, ByteBuffer.wrap(answer.json()), callback);
        state.report(observers);
        return true;
    }

    private boolean health(ExchangeState state, Response response, Callback callback) {
        boolean live = state.route == Route.HEALTHZ;
        StringBuilder sb = new StringBuilder("{\"status\":\"");
        boolean ok = true;
        if (live) {
            sb.append("ok\"}");
        } else {
            StringBuilder checks = new StringBuilder();
            for (Readiness r : readiness) {
                boolean ready;
                try {
                    ready = r.ready();
                } catch (RuntimeException e) {
                    ready = false;
                }
                ok &= ready;
                checks.append(checks.isEmpty() ? "" : ",").append('"').append(r.name()).append("\":\"")
                        .append(ready ? "ok" : "unavailable").append('"');
            }
            sb.append(ok ? "ok" : "unavailable").append("\",\"checks\":{").append(checks).append("}}");
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        state.status = ok ? 200 : 503;
        response.setStatus(state.status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(GatewayHeaders.REQUEST_ID, state.requestId);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }

    private boolean refuse(ExchangeState state, Response response, Callback callback, int status, ErrorType type, String message) {
        state.failed(status, type);
        state.addResponseHeaders(response.getHeaders());
        if (!state.bodyRead && state.request.getLength() != 0) {
            // refused before its body was read: the connection cannot be reused safely, so say it
            // closes (a client that reused it would see its next request fail without an answer)
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        ApiErrors.write(response, callback, status, type, message, state.requestId);
        state.report(observers);
        return true;
    }

    private String tooLarge() {
        return "request body is larger than the limit of " + maxBodyBytes + " bytes";
    }

    /**
     * The client credential: {@code x-api-key} first, else an {@code Authorization: Bearer} token,
     * as the official SDKs send them.
     */
    static String presentedCredential(HttpFields headers) {
        String apiKey = headers.get(GatewayHeaders.X_API_KEY);
        if (apiKey != null && !apiKey.isBlank()) {
            return apiKey;
        }
        String authorization = headers.get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.length() > 7 && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    /**
     * Several {@code x-api-key} or {@code Authorization} headers, or both with different values:
     * which one would be checked is a matter of implementation detail, so refuse rather than guess.
     */
    static boolean ambiguousCredentials(HttpFields headers) {
        java.util.List<String> apiKeys = headers.getValuesList(GatewayHeaders.X_API_KEY);
        java.util.List<String> authorizations = headers.getValuesList(HttpHeader.AUTHORIZATION);
        if (apiKeys.size() > 1 || authorizations.size() > 1) {
            return true;
        }
        if (apiKeys.size() == 1 && authorizations.size() == 1) {
            String bearer = authorizations.get(0);
            boolean isBearer = bearer.length() > 7 && bearer.regionMatches(true, 0, "Bearer ", 0, 7);
            return isBearer && !bearer.substring(7).trim().equals(apiKeys.get(0).trim());
        }
        return false;
    }

    private static final class BodyTooLarge extends Exception {
        BodyTooLarge() {
            super(null, null, false, false);
        }
    }

    private static final class BodyUnreadable extends Exception {
        BodyUnreadable() {
            super(null, null, false, false);
        }
    }

    /** Collects a request body within the size limit, waiting (on this virtual thread) while it arrives. */
    private static final class BodyReader {
        private final Request request;
        private final long maxBodyBytes;
        private byte[] buf;
        private int size;
        private boolean complete;

        BodyReader(Request request, long declared, long maxBodyBytes) {
            this.request = request;
            this.maxBodyBytes = maxBodyBytes;
            this.buf = declared == 0 ? new byte[0] : new byte[declared > 0 ? (int) declared : 8192];
            this.complete = declared == 0;
        }

        /** Takes every chunk available now; true when the body is complete. */
        boolean readArrived() throws BodyTooLarge, BodyUnreadable {
            while (!complete) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    return false;
                }
                take(chunk);
            }
            return true;
        }

        /** Reads to the end, blocking this thread while the body is still arriving. */
        void readAll() throws BodyTooLarge, BodyUnreadable {
            while (!readArrived()) {
                try (Blocker.Runnable blocker = Blocker.runnable()) {
                    request.demand(blocker);
                    blocker.block();
                } catch (java.io.IOException e) {
                    throw new BodyUnreadable();
                }
            }
        }

        private void take(Content.Chunk chunk) throws BodyTooLarge, BodyUnreadable {
            if (Content.Chunk.isFailure(chunk)) {
                chunk.release();
                throw new BodyUnreadable();
            }
            ByteBuffer b = chunk.getByteBuffer();
            int n = b.remaining();
            if ((long) size + n > maxBodyBytes) {
                chunk.release();
                throw new BodyTooLarge();
            }
            if (size + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, (int) Math.min(maxBodyBytes, Math.max((long) buf.length * 2, size + n)));
            }
            b.get(buf, size, n);
            size += n;
            complete = chunk.isLast();
            chunk.release();
        }

        byte[] body() {
            return size == buf.length ? buf : java.util.Arrays.copyOf(buf, size);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }
}
