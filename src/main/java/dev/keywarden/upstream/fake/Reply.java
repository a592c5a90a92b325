package dev.keywarden.upstream.fake;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;

/** What the fake decided to answer, before any latency is applied and bytes are written. */
sealed interface Reply {

    String JSON = "application/json";
    String SSE = "text/event-stream; charset=utf-8";
    String JSONL = "application/x-jsonl";
    String HTML = "text/html";

    /**
     * A whole body written at once with a content-length.
     *
     * @param status      HTTP status
     * @param contentType content-type header value
     * @param body        the exact bytes
     * @param headers     extra response headers (besides request-id and organization)
     * @param delayNanos  extra wait before the first byte, on top of the configured latency
     */
    record Full(int status, String contentType, byte[] body, HttpFields headers, long delayNanos) implements Reply {
        Full(int status, String contentType, byte[] body, HttpFields headers) {
            this(status, contentType, body, headers, 0);
        }

        Full delayed(long nanos) {
            return new Full(status, contentType, body, headers, nanos);
        }
    }

    /**
     * A 200 SSE stream.
     *
     * @param plan    the frames to write
     * @param headers extra response headers
     */
    record Stream(StreamPlan plan, HttpFields headers) implements Reply {
    }

    /** No answer at all until the client goes away or the fake closes. */
    record Hang() implements Reply {
    }

    static Full json(int status, String body) {
        return new Full(status, JSON, body.getBytes(StandardCharsets.UTF_8), HttpFields.EMPTY);
    }

    static Full json(int status, String body, HttpFields headers) {
        return new Full(status, JSON, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    static Full error(ApiError error, String requestId) {
        return json(error.status(), error.toJson(requestId));
    }

    static Full error(ApiError error, String requestId, HttpFields headers) {
        return json(error.status(), error.toJson(requestId), headers);
    }
}
