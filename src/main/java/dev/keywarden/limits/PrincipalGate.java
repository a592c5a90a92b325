package dev.keywarden.limits;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.Preflight;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.RequestSummary;

/**
 * Refuses every call of a suspended principal with 403 {@code permission_error}. Reads the principal's
 * state through {@link PrincipalService#current}, so a suspension made by any instance applies to the
 * next request within one second (at once on the instance that made it). Runs whether or not rate
 * limits are enabled. Fails closed: when the store cannot be read the call gets 503 {@code api_error}.
 */
public final class PrincipalGate implements Preflight {

    private final PrincipalService principals;

    public PrincipalGate(PrincipalService principals) {
        this.principals = principals;
    }

    @Override
    public void check(ClientIdentity identity, RequestSummary request) {
        if (identity == null || identity.principalId() == null) {
            return;
        }
        Principal p;
        try {
            p = principals.current(identity.principalId()).orElse(null);
        } catch (RuntimeException storeDown) {
            throw new Refusal(503, ErrorType.API, "the gateway cannot check the caller's principal right now; retry shortly");
        }
        if (p != null && p.suspended()) {
            throw new Refusal(403, ErrorType.PERMISSION, "principal " + p.name() + " is suspended; its keys are refused until"
                    + " an operator resumes it (keywarden principals resume " + p.name() + ")");
        }
    }
}
