package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.metrics.SinceDuration;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admin operations on admin tokens themselves: list, create (the token is in the response, once),
 * revoke. Listings never show a token or its hash, only id, name, display prefix, role and times.
 *
 * <pre>
 * GET  /admin/v1/admin-tokens
 * POST /admin/v1/admin-tokens               {"name":"prometheus","role":"read","expires_in":"90d"}
 * POST /admin/v1/admin-tokens/{id}/revoke   ({id}: adm_… or the kwadm_ display prefix)
 * </pre>
 * Creating and revoking need a token with the {@code admin} role, like every state-changing call.
 */
public final class AdminTokenAdmin {

    private AdminTokenAdmin() {
    }

    public static void register(AdminRoutes routes, AdminTokens tokens, Clock clock) {
        routes.add("GET", "/admin/v1/admin-tokens", (p, b) ->
                Map.of("data", tokens.list().stream().map(t -> t.toMap(clock.instant())).toList()));
        routes.add("POST", "/admin/v1/admin-tokens", (p, body) -> {
            String name = body.path("name").asText("");
            if (name.isBlank()) {
                throw AdminError.badRequest("name is required, e.g. {\"name\":\"prometheus\",\"role\":\"read\",\"expires_in\":\"90d\"}");
            }
            AdminTokens.Role role = body.hasNonNull("role") ? AdminTokens.Role.parse(body.get("role").asText()) : AdminTokens.Role.ADMIN;
            Duration expiresIn = body.hasNonNull("expires_in") ? SinceDuration.parse(body.get("expires_in").asText(), "expires_in") : null;
            AdminTokens.Created created = tokens.create(name, role, expiresIn, "admin-api");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", created.id());
            out.put("prefix", created.prefix());
            out.put("role", created.role().wireName());
            out.put("expires_at", created.expiresAt() == null ? null : created.expiresAt().toString());
            out.put("token", created.token());
            return out;
        });
        routes.add("POST", "/admin/v1/admin-tokens/{id}/revoke", (p, b) -> {
            if (!tokens.revoke(p.get("id"), "admin-api")) {
                throw AdminError.notFound("no admin token has id or prefix " + p.get("id") + " (see GET /admin/v1/admin-tokens)");
            }
            return Map.of("id", p.get("id"), "revoked", true);
        });
    }
}
