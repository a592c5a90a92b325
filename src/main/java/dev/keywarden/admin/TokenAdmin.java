package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.auth.token.TokenInfo;
import dev.keywarden.auth.token.TokenService;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admin operations on short-lived tokens: list, revoke one, revoke all of a principal's. A revocation
 * applies to the token's next request on every instance (token validity is never cached). Never shows
 * a token, only its id.
 *
 * <pre>
 * GET    /admin/v1/tokens
 * DELETE /admin/v1/tokens/{id}
 * POST   /admin/v1/tokens/revoke          {"principal":"alice"}   (id pr_… or name)
 * </pre>
 */
public final class TokenAdmin {

    private TokenAdmin() {
    }

    public static void register(AdminRoutes routes, TokenService tokens) {
        routes.add("GET", "/admin/v1/tokens", (p, b) -> Map.of("data", tokens.list().stream().map(TokenAdmin::view).toList()));
        routes.add("DELETE", "/admin/v1/tokens/{id}", (p, b) -> {
            String id = p.get("id");
            boolean revoked = guarded(() -> tokens.revoke(id, "admin-api"));
            if (!revoked && tokens.find(id).isEmpty()) {
                throw AdminError.notFound("no token has id " + id + " (see GET /admin/v1/tokens)");
            }
            return Map.of("id", id, "revoked", true);
        });
        routes.add("POST", "/admin/v1/tokens/revoke", (p, body) -> {
            JsonNode principal = body == null ? null : body.get("principal");
            if (principal == null || !principal.isTextual() || principal.asText().isBlank()) {
                throw AdminError.badRequest("principal is required, e.g. {\"principal\":\"alice\"}");
            }
            int count = guarded(() -> tokens.revokeByPrincipal(principal.asText(), "admin-api"));
            return Map.of("principal", principal.asText(), "revoked", count);
        });
    }

    private static <T> T guarded(java.util.function.Supplier<T> op) {
        try {
            return op.get();
        } catch (TokenService.UnknownPrincipal e) {
            throw AdminError.notFound(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw AdminError.badRequest(e.getMessage());
        }
    }

    /** A token as the admin API and the CLI show it (never the token itself). */
    public static Map<String, Object> view(TokenInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("principal_id", t.principalId());
        m.put("issuer_key_id", t.issuerKeyId());
        m.put("created_at", t.createdAt().toString());
        m.put("expires_at", t.expiresAt().toString());
        m.put("uses", t.uses());
        m.put("max_uses", t.maxUses());
        m.put("revoked_at", t.revokedAt() == null ? null : t.revokedAt().toString());
        m.put("state", t.state());
        return m;
    }
}
