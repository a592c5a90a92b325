package dev.keywarden.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OpenID Connect sign-in and IdP bearer tokens ({@code oidc.*}); present only when {@code oidc.issuer} is set.
 *
 * <p>Guarantees: built only by {@link ConfigLoader}, so the issuer and redirect URI are absolute http(s) URLs
 * (plain http only for a loopback host), a client id is present, the group mappings name known roles and tiers,
 * and the client secret is held as a {@link Secret} (never in {@link #toString()}).
 *
 * @param issuer       the IdP's issuer URL; its discovery document is {@code <issuer>/.well-known/openid-configuration}
 * @param clientId     this gateway's client id at the IdP
 * @param clientSecret the client secret (confidential client, sent with HTTP Basic); empty for a public client (PKCE only)
 * @param redirectUri  where the IdP sends the browser back: this gateway's {@code /api/oidc/callback}
 * @param scopes       requested scopes; always contains {@code openid}
 * @param audience     the {@code aud} an IdP access token must carry to be accepted as a bearer credential (default: the client id)
 * @param groupsClaim  the claim holding the user's groups, if groups map to roles or tiers
 * @param groupRoles   group → role ({@code user} or {@code admin}); the highest role of the user's groups wins
 * @param groupTiers   group → tier, in configuration order: the first group the user is in decides
 * @param jit          whether an unknown IdP user is created on first sign-in (else only linked users may sign in)
 */
public record OidcConfig(URI issuer, String clientId, Optional<Secret> clientSecret, URI redirectUri, List<String> scopes,
                         String audience, Optional<String> groupsClaim, Map<String, String> groupRoles,
                         Map<String, String> groupTiers, boolean jit) {
}
