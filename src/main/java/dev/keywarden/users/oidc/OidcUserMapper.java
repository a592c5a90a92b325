package dev.keywarden.users.oidc;

import dev.keywarden.auth.Principal;
import dev.keywarden.config.OidcConfig;
import dev.keywarden.users.Role;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;

import java.util.Map;
import java.util.Optional;

/**
 * Maps a verified OIDC identity to the Keywarden user it stands for: the user linked to ({@code issuer}, {@code sub}),
 * else a new one when {@code oidc.jit} is on. With {@code oidc.group_roles} / {@code oidc.group_tiers}, the user's
 * role and tier follow its groups at every mapping (an admin group → admin, else user; the first listed group the user
 * is in gives the tier; no matching group leaves the tier as it is).
 *
 * <p>Guarantee: a disabled user, a suspended principal or an unlinked identity with {@code oidc.jit} off is refused
 * ({@link OidcRefusedException}, 403).
 */
public final class OidcUserMapper {

    private final OidcConfig config;
    private final UserService users;

    public OidcUserMapper(OidcConfig config, UserService users) {
        this.config = config;
        this.users = users;
    }

    /** The active user for {@code identity}, created or updated as the settings say. */
    public User map(OidcIdentity identity) throws OidcRefusedException {
        if (identity.subject() == null) {
            throw new OidcRefusedException(401, "no_subject", "the identity provider's token has no subject (sub)");
        }
        Optional<Role> role = mappedRole(identity);
        Optional<String> tier = mappedTier(identity);
        Optional<User> linked = users.findByIdentity(identity.issuer(), identity.subject());
        User user;
        if (linked.isEmpty()) {
            if (!config.jit()) {
                throw new OidcRefusedException(403, "not_linked", "no Keywarden user is linked to this identity-provider account;"
                        + " ask an operator to add you (keywarden users add --oidc-subject)");
            }
            user = users.createForIdentity(identity.issuer(), identity.subject(), identity.usernameHint(), identity.name(),
                    role.orElse(Role.USER), tier.orElse(null));
        } else {
            user = linked.get();
            if (user.disabled()) {
                throw new OidcRefusedException(403, "disabled", "this Keywarden account is disabled");
            }
            if (role.isPresent() && role.get() != user.role()) {
                user = users.setRole(user.id(), role.get(), "oidc_groups");
            }
            if (tier.isPresent()) {
                String t = tier.get();
                users.principals().find(user.principalId()).filter(p -> !p.tier().equals(t))
                        .ifPresent(p -> users.principals().setTier(p.id(), t));
            }
        }
        if (users.principals().current(user.principalId()).map(Principal::suspended).orElse(true)) {
            throw new OidcRefusedException(403, "principal_suspended", "this Keywarden account is suspended");
        }
        return user;
    }

    private Optional<Role> mappedRole(OidcIdentity identity) {
        if (config.groupRoles().isEmpty()) {
            return Optional.empty();
        }
        boolean admin = identity.groups().stream().anyMatch(g -> "admin".equals(config.groupRoles().get(g)));
        return Optional.of(admin ? Role.ADMIN : Role.USER);
    }

    private Optional<String> mappedTier(OidcIdentity identity) {
        for (Map.Entry<String, String> e : config.groupTiers().entrySet()) {
            if (identity.groups().contains(e.getKey())) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }
}
