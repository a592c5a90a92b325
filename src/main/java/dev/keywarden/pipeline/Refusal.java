package dev.keywarden.pipeline;

import java.util.Map;

/**
 * A pipeline stage refuses a call: the client gets {@code status} with an Anthropic-shaped error of
 * {@code type} and {@code message} (which must hold no secret), plus {@code headers} (such as
 * {@code retry-after}). Every refusal takes the same path ({@link Pipeline#refuse}), so its headers are
 * sent whichever stage threw it. Carries no stack trace: refusing is not an error of the gateway.
 */
public final class Refusal extends RuntimeException {

    private final int status;
    private final ErrorType type;
    private final Map<String, String> headers;

    public Refusal(int status, ErrorType type, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.headers = Map.copyOf(headers);
    }

    public Refusal(int status, ErrorType type, String message) {
        this(status, type, message, Map.of());
    }

    public int status() {
        return status;
    }

    public ErrorType type() {
        return type;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
