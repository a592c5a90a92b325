package dev.keywarden.pipeline;

/**
 * An authenticated endpoint the gateway answers itself (for example minting a short-lived token),
 * reached through {@link Stages#localEndpoints}: after authentication, the JSON check, the
 * {@link CredentialGuard} scope check, the guardrails, the {@link Preflight}s and the {@link Admission}s.
 * Nothing of it is ever forwarded upstream; its answer goes out like every response the pipeline writes
 * (after the call's record, under the strict-audit veto).
 */
@FunctionalInterface
public interface LocalEndpoint {

    /** What the gateway answers: a status and a JSON body (which must hold no secret but the one it hands out). */
    record Answer(int status, byte[] json) { }

    /**
     * @param body the request body as received (possibly empty), already checked to be one JSON object when not empty
     * @throws Refusal to answer with an Anthropic-shaped error instead
     */
    Answer handle(ClientIdentity identity, byte[] body);
}
