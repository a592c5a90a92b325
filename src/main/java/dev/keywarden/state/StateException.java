package dev.keywarden.state;

/**
 * The shared state (Redis) could not be reached or used. The message names the setting and the
 * Redis URL (which never carries a password) and says how to fix it; it never contains a secret.
 */
public final class StateException extends RuntimeException {

    StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
