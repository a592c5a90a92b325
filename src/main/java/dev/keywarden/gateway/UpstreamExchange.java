package dev.keywarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.gateway.meter.UsageMeter;
import dev.keywarden.gateway.meter.UsageMeters;
import dev.keywarden.log.Redactor;
import dev.keywarden.pipeline.ErrorBody;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.ExchangeState;
import dev.keywarden.pipeline.GuardReport;
import dev.keywarden.pipeline.OutputFilter;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.ResponseFilter;
import dev.keywarden.pipeline.ResponseSink;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.ProviderKeys;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

/**
 * Relays one upstream response to the call's {@link ResponseSink}: the upstream, meter and output
 * filter stages of the pipeline. Runs on the upstream client's callbacks (one at a time, in order).
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
 * <p>The response ends through {@link ExchangeState#complete}: the call's record reaches the observers
 * before the last bytes are written — the last byte of a body of known length, the end of a chunked
 * one — so no client sees a response end before its record. In strict audit mode a stream's
 * {@code message_stop} event waits too ({@link CompletionHold}).
 *
 * <p>When the call's model output is guarded, a successful body passes through the guard's
 * {@link ResponseFilter} (the output-secret check); only a redacting filter changes bytes, and a
 * JSON body is then held to its end so the {@code keywarden-guard} header can name the decision.
 * Without an output guard the relay is byte for byte.
 */
final class UpstreamExchange implements org.eclipse.jetty.client.Response.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamExchange.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_BODY = 1024 * 1024;
    /** What a client gets when upstream refused the provider key and no backup was left. */
    static final String KEY_REJECTED_MESSAGE = "the gateway's provider key was rejected upstream; the operator has been alerted";

    private final ExchangeState state;
    private final ResponseSink sink;
    private final ProviderKeys providerKeys;
    private final UpstreamCall call;
    private final OutputFilter outputFilter;
    private final Attempt attempt;
    private final boolean mayRetry;
    private ProviderKey key;
    private ProviderKeys.InFlight inFlight = ProviderKeys.InFlight.NONE;
    private int status;
    private int rejectedStatus;
    private UsageMeter meter;
    private ByteArrayOutputStream errorBody;
    private boolean eventStream;
    private ResponseFilter filter;
    private CompletionHold hold = CompletionHold.NONE;

    UpstreamExchange(ExchangeState state, ProviderKeys providerKeys, UpstreamCall call, OutputFilter outputFilter,
                     Attempt attempt, boolean mayRetry) {
        this.state = state;
        this.sink = state.sink();
        this.providerKeys = providerKeys;
        this.call = call;
        this.outputFilter = outputFilter;
        this.attempt = attempt;
        this.mayRetry = mayRetry;
    }

    /**
     * The upstream request of a call in flight (a retry on a backup key replaces it), so a failure of
     * the client's connection can stop it.
     */
    static final class Attempt {
        private final ExchangeState state;
        private final UpstreamSlots.Slot slot;
        private volatile org.eclipse.jetty.client.Request current;

        Attempt(ExchangeState state, UpstreamSlots.Slot slot) {
            this.state = state;
            this.slot = slot;
        }

        /** The call's exchange with upstream is over (its last attempt): free its slot under the cap. */
        void ended() {
            slot.release();
        }

        /** The client connection failed while the call was relayed: stop the upstream call. */
        void clientFailed(Throwable failure) {
            state.clientGone();
            org.eclipse.jetty.client.Request r = current;
            if (r != null) {
                r.abort(failure);
            }
        }
    }

    /** Sends the call with {@code providerKey}, registered as in flight so an emergency revoke can cut it. */
    void send(ProviderKey providerKey) {
        this.key = providerKey;
        state.forwardingWith(providerKey);
        org.eclipse.jetty.client.Request request = call.newRequest(providerKey);
        attempt.current = request;
        inFlight = providerKey.userSupplied() ? ProviderKeys.InFlight.NONE
                : providerKeys.track(providerKey, () -> request.abort(new KeyRevokedException()));
        state.upstreamStarted();
        request.send(this);
    }

    /** The provider key of an in-flight call was revoked with immediate effect. */
    static final class KeyRevokedException extends java.io.IOException {
        KeyRevokedException() {
            super("provider key revoked during the call", null);
        }
    }

    @Override
    public void onBegin(org.eclipse.jetty.client.Response upstream) {
        status = upstream.getStatus();
        state.upstreamAnswered(status);
        sink.status(status);
    }

    @Override
    public void onHeaders(org.eclipse.jetty.client.Response upstream) {
        HttpFields.Mutable out = sink.headers();
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
            out.put(GatewayHeaders.REQUEST_ID, state.requestId());
        }
        out.put(GatewayHeaders.KEYWARDEN_REQUEST_ID, state.requestId());
        state.addResponseHeaders(out); // RateLimit-Policy / RateLimit of the caller's quota
        String contentType = upstream.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (upstream.getStatus() >= 400) {
            errorBody = new ByteArrayOutputStream(512);
            return;
        }
        meter = UsageMeters.forResponse(contentType);
        eventStream = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
        if (outputFilter != null) {
            filter = outputFilter.forResponse(state.identity(), contentType, state.guard());
            if (filter != null && (filter.rewrites() || filter.holdsWholeBody())) {
                out.remove(HttpHeader.CONTENT_LENGTH);
            }
        }
        // the client must not see the response end before the call's record reached the observers: the last
        // byte of a body of known length waits for it always; a stream's message_stop waits in strict audit mode
        if (eventStream) {
            hold = state.pipeline().recordRequired() ? CompletionHold.eventStream() : CompletionHold.NONE;
        } else {
            hold = CompletionHold.lastByteOf(out.getLongField(HttpHeader.CONTENT_LENGTH));
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
        ByteBuffer out = filter == null ? buffer : filter.onChunk(buffer);
        boolean chunkMemory = out == buffer;
        out = hold.admit(out);
        if (!out.hasRemaining()) {
            demander.run();
            return;
        }
        if (chunkMemory) {
            chunk.retain();
            sink.write(false, out, written(chunk, upstream, demander));
        } else {
            sink.write(false, out, written(null, upstream, demander));
        }
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
                state.clientGone();
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
        if (errorBody != null && (status == 401 || status == 403)) {
            // the provider key was refused: marking it and picking a backup are decided in onComplete,
            // once the exchange with upstream is over
            rejectedStatus = status;
        } else if (status >= 200 && status < 300 && key != null && !key.userSupplied()) {
            try {
                providerKeys.acceptedByUpstream(key);
            } catch (RuntimeException e) {
                LOG.error("request {}: could not record that upstream accepted provider key {}: {}", state.requestId(),
                        key.fingerprint(), e.toString());
            }
        }
    }

    /**
     * The end of the relayed response, prepared before the call's record is built (so the record has
     * the error type and the output filter's last decisions): the (normalised) error body, or what the
     * filter still had and what the hold kept back.
     */
    private ByteBuffer lastBytes() {
        if (errorBody != null) {
            byte[] body = key != null && key.userSupplied() && status == 401 ? ownKeyRefused()
                    : normalizeErrorBody(status, errorBody.toByteArray());
            sink.headers().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
            sink.headers().put(HttpHeader.CONTENT_LENGTH, body.length);
            return ByteBuffer.wrap(body);
        }
        if (filter != null) {
            ByteBuffer rest = filter.finish();
            if (filter.holdsWholeBody()) {
                String decisions = state.guard().headerValue();
                if (decisions != null) {
                    sink.headers().put(GuardReport.HEADER, decisions);
                }
                sink.headers().put(HttpHeader.CONTENT_LENGTH, rest.remaining());
            }
            return hold.release(rest);
        }
        return hold.release(BufferUtil.EMPTY_BUFFER);
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
     * active key when the call may be retried; otherwise answer a 401 with the gateway's own 503
     * ({@link #keyRejected}) and relay a 403 (it concerns the requested resource).
     */
    private void afterRejection(Result result) {
        if (key.userSupplied()) {
            ownKeyRejected(result);
            return;
        }
        try {
            providerKeys.rejectedByUpstream(key, rejectedStatus);
        } catch (RuntimeException e) {
            LOG.error("request {}: could not record that upstream refused provider key {}: {}", state.requestId(),
                    key.fingerprint(), e.toString());
        }
        if (result.isSucceeded() && mayRetry && !state.clientAborted()) {
            ProviderKey next = null;
            try {
                next = providerKeys.select(state.route().id()).orElse(null);
            } catch (RuntimeException e) {
                LOG.warn("request {}: no backup provider key could be selected: {}", state.requestId(), e.toString());
            }
            if (next != null && !next.id().equals(key.id())) {
                LOG.warn("request {}: upstream rejected provider key {}; retrying once on {}", state.requestId(),
                        key.fingerprint(), next.fingerprint());
                sink.reset();
                new UpstreamExchange(state, providerKeys, call, outputFilter, attempt, false).send(next);
                return;
            }
        }
        if (rejectedStatus == 401 && result.isSucceeded() && !state.clientAborted()) {
            keyRejected();
            return;
        }
        finish(result);
    }

    /**
     * Upstream refused the caller's own key (BYOK): its owner's store is told (a 401 marks it invalid), never the
     * operator's key store and no operator key is tried; the caller gets the refusal, a 401 in words saying it was
     * their own key.
     */
    private void ownKeyRejected(Result result) {
        try {
            key.rejectedByUpstream(rejectedStatus);
        } catch (RuntimeException e) {
            LOG.error("request {}: could not record that upstream refused the caller's own key {}: {}", state.requestId(),
                    key.fingerprint(), e.toString());
        }
        finish(result);
    }

    /**
     * Upstream refused the gateway's provider key (401) and no backup key took over: the fault is the
     * operator's, not the client's, so the client gets the gateway's own 503 instead of upstream's
     * {@code authentication_error} (which would make a client with a valid virtual key think its key is
     * wrong). The key store has raised the alert; {@code /readyz} reports why.
     */
    private void keyRejected() {
        LOG.error("request {}: upstream rejected provider key {} (401) and no backup key is left; answering 503",
                state.requestId(), key.fingerprint());
        state.upstreamEnded(null, null);
        sink.reset();
        state.refuse(new Refusal(503, ErrorType.API, KEY_REJECTED_MESSAGE));
    }

    /** Ends the exchange: the call's record first, then the last bytes of the response (or its failure). */
    private void finish(Result result) {
        attempt.ended();
        state.upstreamEnded(meter == null ? null : meter.finish(), meter == null ? null : meter.errorType());
        if (result.isSucceeded()) {
            ByteBuffer last = lastBytes();
            state.complete((sink, done) -> sink.write(true, last, done));
            return;
        }
        Throwable failure = result.getFailure();
        if (state.clientAborted()) {
            state.complete((sink, done) -> done.failed(failure));
            return;
        }
        boolean timeout = isTimeout(failure);
        LOG.warn("request {}: upstream call failed{}: {}", state.requestId(), timeout ? " (timeout)" : "", failure.toString());
        if (!sink.committed()) {
            sink.reset();
            boolean revoked = failure instanceof KeyRevokedException;
            ErrorType type = timeout ? ErrorType.TIMEOUT : ErrorType.API;
            String message = timeout
                    ? "the upstream API did not answer in time"
                    : revoked ? "the provider key serving this request was revoked; retry the request"
                    : "the gateway could not reach the upstream API";
            state.refuse(new Refusal(timeout ? 504 : revoked ? 503 : 502, type, message));
        } else if (eventStream) {
            String type = (timeout ? ErrorType.TIMEOUT : ErrorType.API).wireName();
            state.errorType(type);
            byte[] event = ("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" + type
                    + "\",\"message\":\"the upstream stream was interrupted\"}}\n\n").getBytes(StandardCharsets.UTF_8);
            state.complete((sink, done) -> sink.write(true, ByteBuffer.wrap(event), done));
        } else {
            state.errorType(ErrorType.API.wireName());
            state.complete((sink, done) -> done.failed(failure));
        }
    }

    /** The 401 a caller gets when upstream refused their own key (BYOK): says so, names the key by fingerprint only. */
    private byte[] ownKeyRefused() {
        state.errorType(ErrorType.AUTHENTICATION.wireName());
        return ErrorBody.json(ErrorType.AUTHENTICATION, "Anthropic rejected your own API key (" + key.fingerprint() + "); it is"
                + " marked invalid and no longer used: add a working key or delete it (DELETE /api/byok)", state.requestId());
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
                state.errorType(error.path("type").asText());
                String text = new String(body, StandardCharsets.UTF_8);
                String redacted = Redactor.redact(text);
                return redacted.equals(text) ? body : redacted.getBytes(StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException notJson) {
            // fall through to a gateway-made error
        }
        state.errorType(fallback.wireName());
        return ErrorBody.json(fallback, "the upstream API answered HTTP " + status + " without an error description",
                state.requestId());
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
