package dev.keywarden.audit;

/** The audit trail cannot make a record durable; in strict mode the request is refused. */
public final class AuditUnavailableException extends RuntimeException {
    public AuditUnavailableException(String message) {
        super(message);
    }
}
