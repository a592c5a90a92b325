package dev.keywarden.audit;

/**
 * Where security events go. The audit trail (tamper-evident, durable) implements it; until then
 * {@link LoggingSecurityEvents} writes them to the log. Implementations must not throw.
 */
@FunctionalInterface
public interface SecurityEvents {
    void record(SecurityEvent event);
}
