package dev.keywarden.audit;

/**
 * Where security events go. The audit trail (tamper-evident, durable) implements it;
 * {@link LoggingSecurityEvents} writes them to the log (beside the trail in {@code serve}, alone in CLI
 * commands). Implementations must not throw.
 */
@FunctionalInterface
public interface SecurityEvents {
    void record(SecurityEvent event);
}
