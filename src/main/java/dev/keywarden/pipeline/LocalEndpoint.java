package dev.keywarden.pipeline;


/**
 * An authenticated endpoint the gateway answers itself (for example minting a short-lived token).
 * It runs after authentication, body inspection, the {@link CredentialGuard} scope check, the
 * {@link Preflight}s and the {@link Admission}s, and nothing of it is ever forwarded upstream.
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
