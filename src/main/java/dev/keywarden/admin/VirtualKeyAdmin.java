package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.auth.CreatedVirtualKey;
import dev.keywarden.auth.VirtualKeyService;

import dev.keywarden.metrics.SinceDuration;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admin operations on virtual keys: list, create (the key is in the response, once), rotate (the new
 * key is in the response, once; the old one works for a grace period), revoke.
 *
 * <pre>
 * GET  /admin/v1/virtual-keys
 * POST /admin/v1/virtual-keys               {"name":"alice","principal":"alice","expires_in":"30d"}
 * POST /admin/v1/virtual-keys/{id}/rotate   {"grace":"24h"}   (default 24h; "0" refuses the old key at once)
 * POST /admin/v1/virtual-keys/{id}/revoke
 * </pre>
 */
public final class VirtualKeyAdmin {

    /** How long the old secret of a rotated key keeps working unless the caller says otherwise. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(24);

    private VirtualKeyAdmin() {
    }

    /** A rotation's grace period: {@code 0} (none), a span such as {@code 24h} or {@code 7d}, or null for the default 24 hours. */
    public static Duration grace(String text, String setting) {
        if (text == null) {
            return DEFAULT_GRACE;
        }
        return text.strip().equals("0") ? Duration.ZERO : SinceDuration.parse(text, setting);
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
                Duration expiresIn = body.hasNonNull("expires_in") ? SinceDuration.parse(body.get("expires_in").asText(), "expires_in") : null;
                created = keys.create(name, principal == null || principal.isNull() ? null : principal.asText(), expiresIn);
            } catch (dev.keywarden.auth.PrincipalService.NoSuchPrincipalException e) {
                throw AdminError.notFound(e.getMessage());
            } catch (IllegalArgumentException e) {
                throw AdminError.badRequest(e.getMessage());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", created.id());
            out.put("prefix", created.prefix());
            out.put("expires_at", created.expiresAt() == null ? null : created.expiresAt().toString());
            out.put("key", created.key());
            return out;
        });
        routes.add("POST", "/admin/v1/virtual-keys/{id}/rotate", (p, body) -> {
            CreatedVirtualKey rotated;
            try {
                rotated = keys.rotate(p.get("id"), grace(body.hasNonNull("grace") ? body.get("grace").asText() : null, "grace"));
            } catch (VirtualKeyService.NoSuchKeyException e) {
                throw AdminError.notFound(e.getMessage());
            } catch (IllegalArgumentException e) {
                throw AdminError.badRequest(e.getMessage());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", rotated.id());
            out.put("prefix", rotated.prefix());
            out.put("previous_valid_until", rotated.previousValidUntil().toString());
            out.put("key", rotated.key());
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
