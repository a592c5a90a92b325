package dev.keywarden.admin;

import dev.keywarden.pipeline.ErrorType;

/** An admin request that cannot be served; becomes an Anthropic-shaped error with {@code status}. */
public final class AdminError extends RuntimeException {

    final int status;
    final ErrorType type;

    public AdminError(int status, ErrorType type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    public static AdminError badRequest(String message) {
        return new AdminError(400, ErrorType.INVALID_REQUEST, message);
    }

    public static AdminError notFound(String message) {
        return new AdminError(404, ErrorType.NOT_FOUND, message);
    }
}
