package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.users.PasswordPolicy;
import dev.keywarden.users.Role;
import dev.keywarden.users.SessionRecord;
import dev.keywarden.users.SessionService;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;
import dev.keywarden.users.UsersModule;
import dev.keywarden.users.oidc.OidcProvider;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Admin operations on user accounts and their sessions, the API twin of {@code keywarden users}. A disable, a
 * password reset, a delete and a session revocation take effect on every instance at the next request.
 *
 * <pre>
 * GET    /admin/v1/users
 * POST   /admin/v1/users                      {"username","password","display_name","role":"user|admin","tier","oidc_subject"}
 * GET    /admin/v1/users/{id}
 * POST   /admin/v1/users/{id}/disable
 * POST   /admin/v1/users/{id}/enable
 * POST   /admin/v1/users/{id}/reset-password  {"password"}
 * DELETE /admin/v1/users/{id}
 * GET    /admin/v1/users/{id}/sessions
 * DELETE /admin/v1/users/{id}/sessions        revokes them all
 * DELETE /admin/v1/sessions/{id}              revokes one ({@code ses_…})
 * </pre>
 * {@code {id}} is a user id ({@code usr_…}) or username. Passwords are accepted in bodies only and never returned.
 */
public final class UserAdmin {

    private static final String BY = "admin-api";

    private UserAdmin() {
    }

    public static void register(AdminRoutes routes, UsersModule module) {
        UserService users = module.users();
        SessionService sessions = module.sessions();
        Optional<String> issuer = module.oidc().map(OidcProvider::issuer);
        routes.add("GET", "/admin/v1/users", (p, b) -> Map.of("data", users.list().stream().map(UserAdmin::view).toList()));
        routes.add("POST", "/admin/v1/users", (p, body) -> {
            String username = text(body, "username");
            if (username == null) {
                throw AdminError.badRequest("username is required, e.g. {\"username\":\"alice\",\"password\":\"…\",\"role\":\"user\"}");
            }
            String subject = text(body, "oidc_subject");
            if (subject != null && issuer.isEmpty()) {
                throw AdminError.badRequest("oidc_subject needs OpenID Connect configured on the gateway (oidc.issuer)");
            }
            char[] password = password(body, subject == null);
            try {
                return guarded(() -> view(users.add(new UserService.NewUser(username, text(body, "display_name"),
                        Role.parse(text(body, "role")), text(body, "tier"), subject == null ? null : issuer.get(), subject), password, BY)));
            } finally {
                if (password != null) {
                    Arrays.fill(password, '\0');
                }
            }
        });
        routes.add("GET", "/admin/v1/users/{id}", (p, b) -> view(users.find(p.get("id"))
                .orElseThrow(() -> AdminError.notFound("no user has id or username " + p.get("id")))));
        routes.add("POST", "/admin/v1/users/{id}/disable", (p, b) -> guarded(() -> view(users.disable(p.get("id"), BY))));
        routes.add("POST", "/admin/v1/users/{id}/enable", (p, b) -> guarded(() -> view(users.enable(p.get("id"), BY))));
        routes.add("POST", "/admin/v1/users/{id}/reset-password", (p, body) -> {
            char[] password = password(body, true);
            try {
                return guarded(() -> view(users.resetPassword(p.get("id"), password, BY)));
            } finally {
                Arrays.fill(password, '\0');
            }
        });
        routes.add("DELETE", "/admin/v1/users/{id}", (p, b) -> guarded(() -> Map.of("deleted", view(users.delete(p.get("id"), BY)))));
        routes.add("GET", "/admin/v1/users/{id}/sessions", (p, b) -> guarded(() -> {
            User u = users.find(p.get("id")).orElseThrow(() -> new UserService.NoSuchUserException(p.get("id")));
            return Map.of("data", sessions.list(u.id()).stream().map(UserAdmin::view).toList());
        }));
        routes.add("DELETE", "/admin/v1/users/{id}/sessions", (p, b) -> guarded(() -> {
            User u = users.find(p.get("id")).orElseThrow(() -> new UserService.NoSuchUserException(p.get("id")));
            return Map.of("revoked", sessions.revokeAll(u.id(), "admin_revoked"));
        }));
        routes.add("DELETE", "/admin/v1/sessions/{id}", (p, b) -> sessions.revoke(p.get("id"), BY)
                .map(s -> Map.of("revoked", view(s)))
                .orElseThrow(() -> AdminError.notFound("no session has id " + p.get("id") + " (it may have ended already)")));
    }

    private static char[] password(JsonNode body, boolean required) {
        JsonNode n = body == null ? null : body.get("password");
        if (n == null || n.isNull()) {
            if (required) {
                throw AdminError.badRequest("password is required (at least " + PasswordPolicy.MIN_LENGTH + " characters)");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw AdminError.badRequest("password must be a string");
        }
        return n.textValue().toCharArray();
    }

    private static Object guarded(java.util.function.Supplier<Object> op) {
        try {
            return op.get();
        } catch (UserService.NoSuchUserException e) {
            throw AdminError.notFound(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw AdminError.badRequest(e.getMessage());
        }
    }

    static Map<String, Object> view(User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("username", u.username());
        m.put("display_name", u.displayName());
        m.put("role", u.role().wireName());
        m.put("principal_id", u.principalId());
        m.put("state", u.disabled() ? "disabled" : "active");
        m.put("password", u.hasPassword());
        m.put("created_at", u.createdAt().toString());
        m.put("last_login_at", u.lastLoginAt() == null ? null : u.lastLoginAt().toString());
        return m;
    }

    static Map<String, Object> view(SessionRecord s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("user_id", s.userId());
        m.put("method", s.method());
        m.put("created_at", Instant.ofEpochMilli(s.createdAt()).toString());
        m.put("last_seen_at", Instant.ofEpochMilli(s.lastSeenAt()).toString());
        m.put("expires_at", Instant.ofEpochMilli(s.expiresAt()).toString());
        m.put("client_address", s.clientAddress());
        return m;
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body == null ? null : body.get(field);
        return n == null || n.isNull() || n.asText().isBlank() ? null : n.asText();
    }
}
