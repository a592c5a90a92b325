package dev.keywarden.byok;

import dev.keywarden.pipeline.ErrorType;

/**
 * A BYOK operation refused, with the HTTP status and Anthropic error type the client gets. The message is fit for the
 * client: it never holds the key or the passphrase, at most the key's fingerprint.
 */
public final class ByokRefusal extends RuntimeException {

    private final int status;
    private final ErrorType type;

    public ByokRefusal(int status, ErrorType type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    public int status() {
        return status;
    }

    public ErrorType type() {
        return type;
    }
}
