package dev.keywarden.audit.anomaly;

/**
 * The action of {@code anomaly.suspend_key: true}: suspends (or revokes) the virtual key an alert
 * names, so it stops working until an operator re-enables or replaces it. Must be idempotent and
 * must not throw; called on the detector thread at most once per credential per alert cool-down.
 */
@FunctionalInterface
public interface KeySuspender {

    /** A suspender that does nothing (when the action is off). */
    KeySuspender NONE = (credentialId, reason) -> {
    };

    /**
     * @param credentialId the virtual key's id (never its secret)
     * @param reason       the alert that triggered the suspension
     */
    void suspend(String credentialId, Alert reason);
}
