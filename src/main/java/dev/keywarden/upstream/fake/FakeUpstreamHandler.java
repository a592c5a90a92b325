package dev.keywarden.upstream.fake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import dev.keywarden.log.Redactor;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fake's only Jetty handler: records the exchange, reads the body without blocking, asks
 * {@link FakeApi} for the answer and gives it to the {@link ReplyWriter}.
 *
 * <p>Guarantee: every request is recorded in arrival order and every answer carries a fresh
 * {@code request-id} and the {@code anthropic-organization-id}; a body over 32 MB gets 413
 * {@code request_too_large}; a bad {@code x-fake-latency-ms} header gets 400.
 */
final class FakeUpstreamHandler extends Handler.Abstract.NonBlocking {

    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    static final String LATENCY_HEADER = "x-fake-latency-ms";
    static final long MAX_LATENCY_MS = 600_000;

    private static final HttpField ORGANIZATION = new HttpField("anthropic-organization-id", ReplyWriter.ORGANIZATION_ID);
    private static final Logger LOG = LoggerFactory.getLogger(FakeUpstreamHandler.class);

    private final FakeApi api;
    private final ExchangeLog log;
    private final ReplyWriter writer;
    private final long defaultLatencyNanos;

    FakeUpstreamHandler(FakeApi api, ExchangeLog log, ReplyWriter writer, long defaultLatencyNanos) {
        this.api = api;
        this.log = log;
        this.writer = writer;
        this.defaultLatencyNanos = defaultLatencyNanos;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        HttpURI uri = request.getHttpURI();
        String requestId = Ids.requestId();
        ExchangeLog.Entry entry = log.begin(request.getMethod(), uri.getPath(), uri.getQuery(), headerMap(request.getHeaders()));
        response.getHeaders().add("request-id", requestId);
        response.getHeaders().add(ORGANIZATION);
        if (request.getLength() > MAX_BODY_BYTES) {
            tooLarge(request, response, callback, entry, requestId);
            return true;
        }
        new BodyReader(request, MAX_BODY_BYTES, BodyReader.outcome(
                body -> onBody(body, request, response, callback, entry, requestId),
                () -> tooLarge(request, response, callback, entry, requestId),
                failure -> {
                    entry.complete();
                    callback.failed(failure);
                })).run();
        return true;
    }

    private void onBody(byte[] body, Request request, Response response, Callback callback, ExchangeLog.Entry entry,
                        String requestId) {
        entry.requestBody(body);
        Reply reply;
        long latency = defaultLatencyNanos;
        try {
            latency = latencyNanos(request.getHeaders().get(LATENCY_HEADER));
            HttpURI uri = request.getHttpURI();
            Fields query = query(request, uri);
            String path = uri.getDecodedPath() == null ? uri.getPath() : uri.getDecodedPath();
            reply = api.answer(new Call(request.getMethod(), path, query, request.getHeaders(), body, requestId));
        } catch (ApiError e) {
            reply = Reply.error(e, requestId);
        } catch (RuntimeException e) {
            LOG.warn("fake upstream failed to answer {} {}: {}", request.getMethod(),
                    Redactor.redact(request.getHttpURI().getPath()), e.getClass().getName());
            reply = Reply.error(new ApiError(500, "api_error", "Internal server error (fake upstream)"), requestId);
        }
        writer.deliver(reply, latency, request, response, callback, entry);
    }

    private static Fields query(Request request, HttpURI uri) {
        if (uri.getQuery() == null) {
            return Fields.EMPTY;
        }
        try {
            return Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw ApiError.invalidRequest("The query string is not valid URL-encoded UTF-8");
        }
    }

    private void tooLarge(Request request, Response response, Callback callback, ExchangeLog.Entry entry,
                          String requestId) {
        ApiError error = new ApiError(413, "request_too_large",
                "Request exceeds the maximum allowed number of bytes (" + MAX_BODY_BYTES + ")");
        writer.deliver(Reply.error(error, requestId), 0, request, response, callback, entry);
    }

    private long latencyNanos(String header) {
        if (header == null) {
            return defaultLatencyNanos;
        }
        try {
            long ms = Long.parseLong(header.strip());
            if (ms >= 0 && ms <= MAX_LATENCY_MS) {
                return ms * 1_000_000L;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiError.invalidRequest(LATENCY_HEADER + ": must be a whole number of milliseconds between 0 and "
                + MAX_LATENCY_MS);
    }

    private static Map<String, List<String>> headerMap(HttpFields fields) {
        Map<String, List<String>> map = new LinkedHashMap<>(fields.size() * 2);
        for (HttpField field : fields) {
            map.computeIfAbsent(field.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(field.getValue());
        }
        map.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(map);
    }
}
