package dev.keywarden.upstream.fake;

/**
 * An error answer in Anthropic's shape, thrown anywhere while handling a request and turned into
 * {@code {"type":"error","error":{"type":…,"message":…},"request_id":…}} with the given status.
 *
 * <p>Guarantee: the message is a fixed, precise text chosen by this package; it never contains a
 * credential or a stack trace. No stack trace is captured (these are expected outcomes).
 */
final class ApiError extends RuntimeException {

    private final int status;
    private final String type;

    ApiError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    static ApiError invalidRequest(String message) {
        return new ApiError(400, "invalid_request_error", message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "not_found_error", message);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    /** The error body for the given request id. */
    String toJson(String requestId) {
        StringBuilder sb = new StringBuilder(96 + getMessage().length());
        sb.append("{\"type\":\"error\",\"error\":{\"type\":");
        Json.appendString(sb, type);
        sb.append(",\"message\":");
        Json.appendString(sb, getMessage());
        sb.append("},\"request_id\":");
        Json.appendString(sb, requestId);
        return sb.append('}').toString();
    }
}
