package dev.keywarden.cli;

/**
 * The admin API refused an operation or could not be reached. The message is the API's own
 * (Anthropic error shape, never key material) followed by the HTTP status, or says why the call
 * did not get an answer; it never contains the admin token.
 */
public final class AdminApiException extends RuntimeException {

    private final int status;
    private final String errorType;

    AdminApiException(int status, String errorType, String message) {
        super(message, null, false, false);
        this.status = status;
        this.errorType = errorType;
    }

    /** The HTTP status, or 0 when no answer arrived. */
    public int status() {
        return status;
    }

    /** Anthropic's {@code error.type} (e.g. {@code invalid_request_error}), or empty. */
    public String errorType() {
        return errorType;
    }
}
