package dev.keywarden.audit;

/**
 * A chain does not match its anchor (records removed or altered after the gateway stopped, or the anchor
 * file lost): the trail refuses to continue — and so to sign over — that chain. The message names what
 * is missing and what the operator can do.
 */
public final class AuditAnchorException extends RuntimeException {
    public AuditAnchorException(String message) {
        super(message);
    }
}
