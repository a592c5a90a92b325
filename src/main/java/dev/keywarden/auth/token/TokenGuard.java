package dev.keywarden.auth.token;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.CredentialGuard;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Route;

import java.util.Locale;

/**
 * Enforces a token's scopes and spends its uses; does nothing for other credentials.
 *
 * <p>Scope refusals are 403 {@code permission_error} naming the scope, decided from the route, the
 * {@code Origin} header and the inspected body before any preflight, rate limit or upstream call.
 * A call refused anywhere before forwarding spends no use: {@link #consume} runs last.
 * Scopes the gateway cannot check in a body are refused rather than assumed: a token with a
 * {@code models} or {@code max_tokens} scope cannot create message batches.
 */
public final class TokenGuard implements CredentialGuard {

    private final TokenService tokens;

    public TokenGuard(TokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    public void checkScope(ClientIdentity identity, Route route, String origin, RequestSummary request) {
        if (identity == null || !TokenService.CREDENTIAL_KIND.equals(identity.credentialKind())) {
            return;
        }
        if (route == Route.TOKENS_CREATE) {
            throw forbidden("a token cannot mint tokens; mint them with a virtual key");
        }
        TokenScopes s;
        try {
            s = tokens.scopes(identity.credentialId()).orElse(null);
        } catch (RuntimeException storeDown) {
            throw new Refusal(503, ErrorType.API, "the gateway cannot check this token's scopes right now; retry shortly");
        }
        if (s == null) {
            throw new Refusal(401, ErrorType.AUTHENTICATION, TokenService.INVALID_MESSAGE);
        }
        if (s.endpoints() != null && !s.endpoints().contains(route.id())) {
            throw forbidden("this token's endpoints scope does not allow " + route.id() + " (allowed: "
                    + String.join(", ", s.endpoints()) + ")");
        }
        if (s.origins() != null) {
            if (origin == null || !s.origins().contains(origin.strip().toLowerCase(Locale.ROOT))) {
                throw forbidden("this token's origins scope does not allow "
                        + (origin == null ? "calls without an Origin header" : "this Origin"));
            }
        }
        if (route == Route.BATCH_CREATE && (s.models() != null || s.maxTokens() != null)) {
            throw forbidden("a token with a models or max_tokens scope cannot create message batches"
                    + " (the gateway does not check each request of a batch)");
        }
        if (s.models() != null && request.model() != null && !s.models().contains(request.model())) {
            throw forbidden("this token's models scope does not allow model " + clip(request.model()) + " (allowed: "
                    + String.join(", ", s.models()) + ")");
        }
        if (s.models() != null && request.model() == null && route.bodyRequired()) {
            throw forbidden("this token's models scope requires a model in the request (allowed: "
                    + String.join(", ", s.models()) + ")");
        }
        if (s.maxTokens() != null && route == Route.MESSAGES
                && (request.maxTokens() < 0 || request.maxTokens() > s.maxTokens())) {
            throw forbidden("this token's max_tokens scope allows at most " + s.maxTokens() + " (the request asks for "
                    + (request.maxTokens() < 0 ? "no max_tokens" : request.maxTokens()) + ")");
        }
    }

    @Override
    public void consume(ClientIdentity identity) {
        if (identity == null || !TokenService.CREDENTIAL_KIND.equals(identity.credentialKind())) {
            return;
        }
        String refusal;
        try {
            refusal = tokens.spend(identity.credentialId());
        } catch (RuntimeException storeDown) {
            throw new Refusal(503, ErrorType.API, "the gateway cannot check this token's uses right now; retry shortly");
        }
        if (refusal != null) {
            throw new Refusal(401, ErrorType.AUTHENTICATION, refusal);
        }
    }

    private static Refusal forbidden(String message) {
        return new Refusal(403, ErrorType.PERMISSION, message);
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
