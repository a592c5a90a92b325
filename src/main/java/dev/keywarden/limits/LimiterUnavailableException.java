package dev.keywarden.limits;

/** The shared limit state (Redis) cannot be reached; the message names no secret. */
public final class LimiterUnavailableException extends RuntimeException {
    public LimiterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
