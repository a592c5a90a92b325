package dev.keywarden.pipeline;

/**
 * Restrictions that belong to the credential itself rather than to its principal: the scopes and the
 * use count of a short-lived token. Virtual keys have none ({@link #NONE}).
 *
 * <p>Order in the pipeline: {@link #checkScope} runs right after the body is inspected, before any
 * {@link Preflight} or {@link Admission}; {@link #consume} runs last, right before the call is
 * forwarded upstream. So a call refused anywhere in between consumes nothing.
 */
public interface CredentialGuard {

    /** No credential-level restrictions. */
    CredentialGuard NONE = new CredentialGuard() {
        @Override
        public void checkScope(ClientIdentity identity, Route route, String origin, RequestSummary request) {
        }

        @Override
        public void consume(ClientIdentity identity) {
        }
    };

    /**
     * Refuses (with a {@link Refusal}, normally 403 {@code permission_error} naming the scope) a call the
     * credential is not allowed to make.
     *
     * @param origin the request's {@code Origin} header, or null
     */
    void checkScope(ClientIdentity identity, Route route, String origin, RequestSummary request);

    /**
     * Spends one use of the credential, atomically; throws {@link Refusal} (401 {@code authentication_error})
     * when none is left, or the credential was revoked or expired since it was authenticated.
     */
    void consume(ClientIdentity identity);
}
