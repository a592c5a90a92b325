package dev.keywarden.users.oidc;

/**
 * An OIDC sign-in or IdP token that is refused. {@code status} and the message are what the client sees (never a
 * token or a claim value); {@code reason} is a short code for the audit trail.
 */
public final class OidcRefusedException extends Exception {

    private final int status;
    private final String reason;

    public OidcRefusedException(int status, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }
}
