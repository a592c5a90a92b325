package dev.keywarden.auth.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.LocalEndpoint;
import dev.keywarden.pipeline.Refusal;

/**
 * {@code POST /v1/keywarden/tokens}: mints a short-lived token for the calling virtual key.
 * Answers 201 with {@code {"token","id","expires_at" (RFC 3339, UTC),"expires_in" (seconds),"max_uses",
 * "principal_id", and the scopes}}; 400 {@code invalid_request_error} naming a bad field; 403
 * {@code permission_error} when the caller is not a virtual key (a token cannot mint tokens).
 */
public final class TokenEndpoint implements LocalEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TokenService tokens;

    public TokenEndpoint(TokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    public Answer handle(ClientIdentity identity, byte[] body) {
        if (identity == null || !TokenService.ISSUER_KIND.equals(identity.credentialKind())) {
            throw new Refusal(403, ErrorType.PERMISSION, "a token cannot mint tokens; mint them with a virtual key");
        }
        TokenRequest request;
        try {
            request = TokenRequest.parse(body, tokens.policy());
        } catch (TokenRequest.Invalid e) {
            throw new Refusal(400, ErrorType.INVALID_REQUEST, e.getMessage());
        }
        IssuedToken issued = tokens.mint(identity, request);
        ObjectNode out = JSON.createObjectNode();
        out.put("token", issued.token());
        out.put("id", issued.id());
        out.put("expires_at", issued.expiresAt().toString());
        out.put("expires_in", request.ttl().toSeconds());
        out.put("max_uses", issued.maxUses());
        out.put("principal_id", issued.principalId());
        out.setAll(issued.scopes().toNode());
        try {
            return new Answer(201, JSON.writeValueAsBytes(out));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the token response", e);
        }
    }
}
