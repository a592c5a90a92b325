package dev.keywarden.pipeline;

/**
 * Guardrails on a request body (validation, secrets, prompt injection), run after the JSON check
 * and the credential's scope, before any preflight or admission.
 */
@FunctionalInterface
public interface BodyGuard {

    /** No guardrails: every body passes unchanged. */
    BodyGuard NONE = (route, identity, body, report) -> body;

    /**
     * Returns the body to forward ({@code body} itself unless something was redacted).
     *
     * @throws Refusal when a check blocks the call (recorded in {@code report} first)
     */
    byte[] inspect(Route route, ClientIdentity identity, byte[] body, GuardReport report);
}
