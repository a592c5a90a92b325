package dev.keywarden.gateway;

import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.ExchangeState;
import dev.keywarden.pipeline.HttpSink;
import dev.keywarden.pipeline.Pipeline;
import dev.keywarden.pipeline.Readiness;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.RequestIds;
import dev.keywarden.pipeline.Route;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The proxy listener's entry point into the {@link Pipeline}: the HTTP half of a call. It routes
 * the request (404 unknown path, 405 wrong method; the health endpoints answer here), refuses
 * ambiguous credentials, runs the pipeline's before-body stages (address lockout, authentication),
 * reads the body within the pipeline's limit (413 by {@code Content-Length} without reading, or while
 * reading; 408 when it does not arrive), then hands the body to the after-body stages, which end in a
 * refusal, a local answer or the upstream relay. The stages and their order are the composition's
 * ({@code pipeline/PipelineComposition}); nothing here decides about a call.
 *
 * <p>Runs on a virtual thread: the steps before forwarding may block (reading a slow body, the store).
 */
final class GatewayHandler extends Handler.Abstract {

    private final Pipeline pipeline;

    GatewayHandler(Pipeline pipeline) {
        super(InvocationType.BLOCKING);
        this.pipeline = pipeline;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath();
        Router.Match match = Router.match(method, path);
        if (match.found() && match.route().health()) {
            return health(match.route(), response, callback);
        }
        HttpFields headers = request.getHeaders();
        long declared = request.getLength();
        ExchangeState x = pipeline.open(new HttpSink(request, response, callback), RequestIds.next(), match.route(), method,
                path, uri.getQuery(), headers, Request.getRemoteAddr(request), declared != 0);
        if (!match.found()) {
            if (match.methodNotAllowed()) {
                x.refuse(new Refusal(405, ErrorType.INVALID_REQUEST, "method " + method + " is not allowed on " + path
                        + "; use " + String.join(" or ", match.allowedMethods()),
                        Map.of(HttpHeader.ALLOW.asString(), String.join(", ", match.allowedMethods()))));
            } else {
                x.refuse(new Refusal(404, ErrorType.NOT_FOUND, "no such endpoint: " + method + " " + abbreviate(path)));
            }
            return true;
        }
        if (ambiguousCredentials(headers)) {
            x.refuse(new Refusal(401, ErrorType.AUTHENTICATION,
                    "send exactly one credential: one x-api-key header or one Authorization: Bearer header"));
            return true;
        }
        x.credential(presentedCredential(headers));
        if (!pipeline.beforeBody(x)) {
            return true;
        }
        if (declared > pipeline.maxBodyBytes()) {
            x.refuse(pipeline.bodyTooLarge());
            return true;
        }
        BodyReader reader = new BodyReader(request, declared, pipeline.maxBodyBytes());
        try {
            reader.readAll();
        } catch (BodyTooLarge e) {
            x.refuse(pipeline.bodyTooLarge());
            return true;
        } catch (BodyUnreadable e) {
            x.clientGone();
            x.refuse(new Refusal(408, ErrorType.INVALID_REQUEST, "the request body did not arrive in time"));
            return true;
        }
        pipeline.afterBody(x, reader.body());
        return true;
    }

    private boolean health(Route route, Response response, Callback callback) {
        boolean live = route == Route.HEALTHZ;
        StringBuilder sb = new StringBuilder("{\"status\":\"");
        boolean ok = true;
        if (live) {
            sb.append("ok\"}");
        } else {
            StringBuilder checks = new StringBuilder();
            StringBuilder reasons = new StringBuilder();
            for (Readiness r : pipeline.readiness()) {
                boolean ready;
                String reason = "";
                try {
                    ready = r.ready();
                    reason = ready ? "" : reasonOf(r);
                } catch (RuntimeException e) {
                    ready = false;
                }
                ok &= ready;
                checks.append(checks.isEmpty() ? "" : ",").append('"').append(r.name()).append("\":\"")
                        .append(ready ? "ok" : "unavailable").append('"');
                if (reason != null && !reason.isEmpty()) {
                    reasons.append(reasons.isEmpty() ? "" : ",").append('"').append(r.name()).append("\":\"")
                            .append(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(reason)).append('"');
                }
            }
            sb.append(ok ? "ok" : "unavailable").append("\",\"checks\":{").append(checks).append('}');
            if (!reasons.isEmpty()) {
                sb.append(",\"reasons\":{").append(reasons).append('}');
            }
            sb.append('}');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(ok ? 200 : 503);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(GatewayHeaders.REQUEST_ID, RequestIds.next());
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }

    private static String reasonOf(Readiness r) {
        try {
            String reason = r.reason();
            return reason == null ? "" : reason;
        } catch (RuntimeException e) {
            return "";
        }
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
