package dev.keywarden.gateway;

import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.ErrorType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.gateway.meter.UsageMeter;
import dev.keywarden.gateway.meter.UsageMeters;
import dev.keywarden.pipeline.GuardReport;
import dev.keywarden.guard.RequestGuard;
import dev.keywarden.pipeline.ResponseFilter;
import dev.keywarden.log.Redactor;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.ProviderKeys;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Relays one upstream response to the client.
 *
 * <p>Guarantees: successful bodies (JSON or SSE) reach the client byte for byte, each chunk
 * written as soon as it arrives, with back-pressure (the next chunk is read only after the
 * previous one was written); usage is metered from the same buffers without copying them.
 * Upstream error bodies are relayed when they are in Anthropic's error shape and replaced by
 * one when they are not; credentials in them are redacted. When the client goes away the
 * upstream request is aborted. When upstream fails before answering, the client gets 502
 * ({@code api_error}) or 504 ({@code timeout_error}); when it fails in the middle of a stream,
 * the client gets an SSE {@code error} event, as Anthropic sends one.
 *
 * <p>When the call's model output is guarded ({@link ExchangeState#outputGuard}), a successful body
 * passes through the guard's {@link ResponseFilter} (the output-secret check); only a redacting
 * filter changes bytes, and a JSON body is then held to its end so the {@code keywarden-guard}
 * header can name the decision. Without an output guard the relay is byte for byte.
 */
final class UpstreamExchange extends Callback.Completable implements org.eclipse.jetty.client.Response.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamExchange.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_BODY = 1024 * 1024;

    private final ExchangeState state;
    private final Response response;
    private final Callback callback;
    private final List<ExchangeObserver> observers;
    private final ProviderKeys providerKeys;
    private final UpstreamCall call;
    private final boolean mayRetry;
    private ProviderKey key;
    private ProviderKeys.InFlight inFlight = ProviderKeys.InFlight.NONE;
    private int rejectedStatus;
    private UsageMeter meter;
    private ByteArrayOutputStream errorBody;
    private boolean eventStream;
    private ResponseFilter filter;

    UpstreamExchange(ExchangeState state, Response response, Callback callback, List<ExchangeObserver> observers,
                     ProviderKeys providerKeys, UpstreamCall call, boolean mayRetry) {
        this.state = state;
        this.response = response;
        this.callback = callback;
        this.observers = observers;
        this.providerKeys = providerKeys;
        this.call = call;
        this.mayRetry = mayRetry;
    }

    /** Sends the call with {@code providerKey}, registered as in flight so an emergency revoke can cut it. */
    void send(ProviderKey providerKey) {
        this.key = providerKey;
        state.providerKey = providerKey.fingerprint();
        org.eclipse.jetty.client.Request request = call.newRequest(providerKey);
        state.upstreamRequest = request;
        inFlight = providerKeys.track(providerKey, () -> request.abort(new KeyRevokedException()));
        if (state.upstreamStartNanos == 0) {
            state.upstreamStartNanos = System.nanoTime();
        }
        request.send(this);
    }

    /** The provider key of an in-flight call was revoked with immediate effect. */
    static final class KeyRevokedException extends java.io.IOException {
        KeyRevokedException() {
            super("provider key revoked during the call", null);
        }
    }

    /** The client connection failed while the upstream call was in progress: stop the upstream call. */
    static void clientFailed(ExchangeState state, Throwable failure) {
        state.clientAborted = true;
        org.eclipse.jetty.client.Request r = state.upstreamRequest;
        if (r != null) {
            r.abort(failure);
        }
    }

    @Override
    public void onBegin(org.eclipse.jetty.client.Response upstream) {
        state.upstreamStatus = upstream.getStatus();
        state.status = upstream.getStatus();
        response.setStatus(upstream.getStatus());
    }

    @Override
    public void onHeaders(org.eclipse.jetty.client.Response upstream) {
        HttpFields.Mutable out = response.getHeaders();
        boolean hasRequestId = false;
        for (HttpField f : upstream.getHeaders()) {
            if (!GatewayHeaders.forwardResponseHeader(f.getHeader(), f.getName())) {
                continue;
            }
            if (!hasRequestId && f.is(GatewayHeaders.REQUEST_ID)) {
                hasRequestId = true;
            }
            out.add(f);
        }
        if (!hasRequestId) {
            out.put(GatewayHeaders.REQUEST_ID, state.requestId);
        }
        out.put(GatewayHeaders.KEYWARDEN_REQUEST_ID, state.requestId);
        state.addResponseHeaders(out); // RateLimit-Policy / RateLimit of the caller's quota
        String contentType = upstream.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (upstream.getStatus() >= 400) {
            errorBody = new ByteArrayOutputStream(512);
        } else {
            meter = UsageMeters.forResponse(contentType);
            eventStream = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
            if (state.outputGuard != null) {
                filter = state.outputGuard.filterFor(RequestGuard.tierOf(state.identity), contentType, state.guard);
                if (filter != null && (filter.rewrites() || filter.holdsWholeBody())) {
                    out.remove(HttpHeader.CONTENT_LENGTH);
                }
            }
        }
    }

    @Override
    public void onContent(org.eclipse.jetty.client.Response upstream, Content.Chunk chunk, Runnable demander) {
        ByteBuffer buffer = chunk.getByteBuffer();
        if (errorBody != null) {
            int room = MAX_ERROR_BODY - errorBody.size();
            int n = Math.min(room, buffer.remaining());
            if (n > 0) {
                ByteBuffer dup = buffer.slice();
                byte[] tmp = new byte[n];
                dup.get(tmp);
                errorBody.write(tmp, 0, n);
            }
            demander.run();
            return;
        }
        meter.feed(buffer);
        if (filter != null) {
            ByteBuffer filtered = filter.onChunk(buffer);
            if (filtered != buffer) {
                if (!filtered.hasRemaining()) {
                    demander.run();
                } else {
                    response.write(false, filtered, written(null, upstream, demander));
                }
                return;
            }
        }
        chunk.retain();
        response.write(false, buffer, written(chunk, upstream, demander));
    }

    /** After a chunk is written: release it (when retained) and ask for the next; on failure abort upstream. */
    private Callback written(Content.Chunk chunk, org.eclipse.jetty.client.Response upstream, Runnable demander) {
        return new Callback() {
            @Override
            public void succeeded() {
                if (chunk != null) {
                    chunk.release();
                }
                demander.run();
            }

            @Override
            public void failed(Throwable failure) {
                if (chunk != null) {
                    chunk.release();
                }
                state.clientAborted = true;
                upstream.abort(failure);
            }

            @Override
            public InvocationType getInvocationType() {
                return InvocationType.NON_BLOCKING;
            }
        };
    }

    @Override
    public void onSuccess(org.eclipse.jetty.client.Response upstream) {
        int status = upstream.getStatus();
        if (errorBody != null && (status == 401 || status == 403)) {
            // the provider key was refused: marking it and picking a backup are decided in onComplete,
            // once the exchange with upstream is over
            rejectedStatus = status;
            return;
        }
        writeLast(status);
    }

    /** Writes the end of the relayed response: the (normalised) error body, or the last empty chunk. */
    private void writeLast(int status) {
        if (errorBody != null) {
            byte[] body = normalizeErrorBody(status, errorBody.toByteArray());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), this);
        } else if (filter != null) {
            ByteBuffer rest = filter.finish();
            if (filter.holdsWholeBody()) {
                String decisions = state.guard.headerValue();
                if (decisions != null) {
                    response.getHeaders().put(GuardReport.HEADER, decisions);
                }
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, rest.remaining());
            }
            response.write(true, rest, this);
        } else {
            response.write(true, BufferUtil.EMPTY_BUFFER, this);
        }
    }

    @Override
    public void onComplete(Result result) {
        inFlight.close();
        if (rejectedStatus != 0) {
            afterRejection(result);
            return;
        }
        finish(result);
    }

    /**
     * Upstream refused the provider key (401/403): tell the key store, and retry once on another
     * active key when the call may be retried; otherwise relay the refusal.
     */
    private void afterRejection(Result result) {
        try {
            providerKeys.rejectedByUpstream(key, rejectedStatus);
        } catch (RuntimeException e) {
            LOG.error("request {}: could not record that upstream refused provider key {}: {}", state.requestId,
                    key.fingerprint(), e.toString());
        }
        if (result.isSucceeded() && mayRetry && !state.clientAborted) {
            ProviderKey next = null;
            try {
                next = providerKeys.select(state.route.id()).orElse(null);
            } catch (RuntimeException e) {
                LOG.warn("request {}: no backup provider key could be selected: {}", state.requestId, e.toString());
            }
            if (next != null && !next.id().equals(key.id())) {
                LOG.warn("request {}: upstream rejected provider key {}; retrying once on {}", state.requestId,
                        key.fingerprint(), next.fingerprint());
                response.reset();
                new UpstreamExchange(state, response, callback, observers, providerKeys, call, false).send(next);
                return;
            }
        }
        if (result.isSucceeded()) {
            writeLast(rejectedStatus);
        }
        finish(result);
    }

    /**
     * Ends the exchange: completes (or fails) the client response and reports the exchange.
     */
    private void finish(Result result) {
        state.upstreamEndNanos = System.nanoTime();
        if (meter != null) {
            state.usage = meter.finish();
            if (meter.errorType() != null) {
                state.errorType = meter.errorType();
            }
        }
        if (result.isSucceeded()) {
            whenComplete((ignored, failure) -> {
                if (failure == null) {
                    RuntimeException veto = state.report(observers);
                    if (veto == null) {
                        callback.succeeded();
                    } else {
                        callback.failed(veto);
                    }
                } else {
                    state.clientAborted = true;
                    callback.failed(failure);
                    state.report(observers);
                }
            });
            return;
        }
        Throwable failure = result.getFailure();
        if (state.clientAborted) {
            callback.failed(failure);
            state.report(observers);
            return;
        }
        boolean timeout = isTimeout(failure);
        LOG.warn("request {}: upstream call failed{}: {}", state.requestId, timeout ? " (timeout)" : "", failure.toString());
        if (!response.isCommitted()) {
            response.reset();
            state.addResponseHeaders(response.getHeaders());
            boolean revoked = failure instanceof KeyRevokedException;
            ErrorType type = timeout ? ErrorType.TIMEOUT : ErrorType.API;
            int status = timeout ? 504 : revoked ? 503 : 502;
            state.failed(status, type);
            String message = timeout
                    ? "the upstream API did not answer in time"
                    : revoked ? "the provider key serving this request was revoked; retry the request"
                    : "the gateway could not reach the upstream API";
            ApiErrors.write(response, callback, status, type, message, state.requestId);
            state.report(observers);
        } else if (eventStream) {
            state.errorType = (timeout ? ErrorType.TIMEOUT : ErrorType.API).wireName();
            String event = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" + state.errorType
                    + "\",\"message\":\"the upstream stream was interrupted\"}}\n\n";
            response.write(true, ByteBuffer.wrap(event.getBytes(StandardCharsets.UTF_8)), Callback.from(
                    () -> { callback.succeeded(); state.report(observers); },
                    x -> { callback.failed(x); state.report(observers); }));
        } else {
            state.errorType = ErrorType.API.wireName();
            callback.failed(failure);
            state.report(observers);
        }
    }

    /**
     * An upstream error body in Anthropic's shape is relayed (redacted); anything else (an HTML
     * page from a load balancer, an empty body) becomes a gateway error of the matching type.
     */
    private byte[] normalizeErrorBody(int status, byte[] body) {
        ErrorType fallback = ErrorType.forStatus(status);
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode error = root == null ? null : root.get("error");
            if (root != null && root.isObject() && "error".equals(root.path("type").asText())
                    && error != null && error.path("type").isTextual() && error.path("message").isTextual()) {
                state.errorType = error.path("type").asText();
                String text = new String(body, StandardCharsets.UTF_8);
                String redacted = Redactor.redact(text);
                return redacted.equals(text) ? body : redacted.getBytes(StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException notJson) {
            // fall through to a gateway-made error
        }
        state.errorType = fallback.wireName();
        return ApiErrors.body(fallback, "the upstream API answered HTTP " + status + " without an error description",
                state.requestId);
    }

    private static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
