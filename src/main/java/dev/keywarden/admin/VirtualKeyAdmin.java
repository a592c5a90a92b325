package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.auth.CreatedVirtualKey;
import dev.keywarden.auth.VirtualKeyService;

import java.util.LinkedHashMap;
import java.util.Map;

/** Admin operations on virtual keys: list, create (the key is in the response, once), revoke. */
public final class VirtualKeyAdmin {

    private VirtualKeyAdmin() {
    }

    public static void register(AdminRoutes routes, VirtualKeyService keys) {
        routes.add("GET", "/admin/v1/virtual-keys", (p, b) -> Map.of("data", keys.list()));
        routes.add("POST", "/admin/v1/virtual-keys", (p, body) -> {
            String name = body.path("name").asText("");
            if (name.isBlank()) {
                throw AdminError.badRequest("name is required, e.g. {\"name\":\"alice\"}");
            }
            CreatedVirtualKey created;
            try {
                JsonNode principal = body.get("principal");
                created = keys.create(name, principal == null || principal.isNull() ? null : principal.asText());
            } catch (dev.keywarden.auth.PrincipalService.NoSuchPrincipalException e) {
                throw AdminError.notFound(e.getMessage());
            } catch (IllegalArgumentException e) {
                throw AdminError.badRequest(e.getMessage());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", created.id());
            out.put("prefix", created.prefix());
            out.put("key", created.key());
            return out;
        });
        routes.add("POST", "/admin/v1/virtual-keys/{id}/revoke", (p, b) -> {
            boolean revoked;
            try {
                revoked = keys.revoke(p.get("id"));
            } catch (IllegalArgumentException e) {
                throw AdminError.badRequest(e.getMessage());
            }
            if (!revoked) {
                throw AdminError.notFound("no virtual key has id or prefix " + p.get("id"));
            }
            return Map.of("id", p.get("id"), "revoked", true);
        });
    }
}
