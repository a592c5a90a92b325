package dev.keywarden.users;

import java.time.Instant;

/**
 * A person who signs in to the gateway. Holds no secret: the password hash stays in the store.
 * Every user is a principal ({@code principalId}, kind user), so tiers, limits, budgets, suspension and
 * audit apply to a user as to a virtual key.
 *
 * @param hasPassword whether the user can sign in with a password (else only through OIDC)
 * @param lastLoginAt null until the first sign-in
 */
public record User(String id, String username, String displayName, Role role, String principalId, boolean disabled,
                   boolean hasPassword, Instant createdAt, Instant lastLoginAt) {
}
