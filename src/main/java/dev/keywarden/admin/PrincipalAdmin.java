package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admin operations on principals: list, create, show, set tier, suspend, resume. A suspension or tier
 * change applies to the principal's next request on every instance within a second.
 *
 * <pre>
 * GET  /admin/v1/principals
 * POST /admin/v1/principals                  {"name":"alice","kind":"user","tier":"pro","team":"research"}
 * GET  /admin/v1/principals/{id}
 * POST /admin/v1/principals/{id}/tier        {"tier":"enterprise"}
 * POST /admin/v1/principals/{id}/suspend
 * POST /admin/v1/principals/{id}/resume
 * </pre>
 * {@code {id}} is a principal id ({@code pr_…}) or name.
 */
public final class PrincipalAdmin {

    private PrincipalAdmin() {
    }

    public static void register(AdminRoutes routes, PrincipalService principals) {
        routes.add("GET", "/admin/v1/principals", (p, b) -> Map.of("data", principals.list().stream().map(PrincipalAdmin::view).toList()));
        routes.add("POST", "/admin/v1/principals", (p, body) -> {
            String name = text(body, "name");
            if (name == null) {
                throw AdminError.badRequest("name is required, e.g. {\"name\":\"alice\",\"kind\":\"user\",\"tier\":\"pro\"}");
            }
            return guarded(() -> view(principals.create(name, Principal.Kind.parse(orDefault(text(body, "kind"), "user")),
                    text(body, "tier"), text(body, "team"))));
        });
        routes.add("GET", "/admin/v1/principals/{id}", (p, b) -> view(principals.find(p.get("id"))
                .orElseThrow(() -> AdminError.notFound("no principal has id or name " + p.get("id")))));
        routes.add("POST", "/admin/v1/principals/{id}/tier", (p, body) -> {
            String tier = text(body, "tier");
            if (tier == null) {
                throw AdminError.badRequest("tier is required, e.g. {\"tier\":\"pro\"}");
            }
            return guarded(() -> view(principals.setTier(p.get("id"), tier)));
        });
        routes.add("POST", "/admin/v1/principals/{id}/suspend", (p, b) -> guarded(() -> view(principals.suspend(p.get("id")))));
        routes.add("POST", "/admin/v1/principals/{id}/resume", (p, b) -> guarded(() -> view(principals.resume(p.get("id")))));
    }

    private static Object guarded(java.util.function.Supplier<Object> op) {
        try {
            return op.get();
        } catch (PrincipalService.NoSuchPrincipalException e) {
            throw AdminError.notFound(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw AdminError.badRequest(e.getMessage());
        }
    }

    /** A principal as the admin API and the CLI show it. */
    public static Map<String, Object> view(Principal p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("kind", p.kind().wireName());
        m.put("tier", p.tier());
        m.put("state", p.state().wireName());
        m.put("team_id", p.teamId());
        m.put("created_at", p.createdAt().toString());
        return m;
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body == null ? null : body.get(field);
        return n == null || n.isNull() || n.asText().isBlank() ? null : n.asText();
    }

    private static String orDefault(String v, String d) {
        return v == null ? d : v;
    }
}
