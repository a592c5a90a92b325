package dev.keywarden.users.oidc;

import java.util.List;

/**
 * The verified claims of an OIDC user that Keywarden uses: who ({@code issuer} + {@code subject}), name hints for a
 * new account, and groups (from {@code oidc.groups_claim}) for role and tier mapping.
 */
public record OidcIdentity(String issuer, String subject, String preferredUsername, String email, String name,
                           List<String> groups) {

    /** Reads the claims of a verified token ({@code claims} as Nimbus gives them). */
    static OidcIdentity from(String issuer, java.util.Map<String, Object> claims, String groupsClaim) {
        return new OidcIdentity(issuer, text(claims.get("sub")), text(claims.get("preferred_username")), text(claims.get("email")),
                text(claims.get("name")), groups(groupsClaim == null ? null : claims.get(groupsClaim)));
    }

    private static String text(Object o) {
        return o instanceof String s && !s.isBlank() ? s : null;
    }

    private static List<String> groups(Object o) {
        if (o instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        if (o instanceof String s && !s.isBlank()) {
            return List.of(s.split("[,\\s]+"));
        }
        return List.of();
    }

    /** The best name hint for a new username: preferred_username, else email, else name. */
    String usernameHint() {
        return preferredUsername != null ? preferredUsername : email != null ? email : name;
    }
}
