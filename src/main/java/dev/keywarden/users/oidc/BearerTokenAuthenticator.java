package dev.keywarden.users.oidc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.Authenticator;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.Principal;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Accepts access tokens from the configured identity provider as client credentials (the mobile-app pattern: the
 * app signs in with OIDC + PKCE and never holds an Anthropic key). A JWT-shaped credential (three base64url parts)
 * is verified by {@link OidcProvider} (signature against the IdP's JWKS, issuer, audience, expiry) and mapped to its
 * user's principal, so limits, budgets, suspension and audit apply as to a virtual key; anything else goes to the
 * next authenticator unchanged.
 *
 * <p>Guarantees: a forged, expired, wrong-audience or wrong-issuer token, or one whose user is disabled, unlinked
 * (with {@code oidc.jit} off) or suspended, is {@link AuthOutcome.Rejected} (401) with a message that never quotes
 * the token; an IdP whose keys cannot be fetched makes the check throw, so the gateway fails closed with 503.
 *
 * <p>Lockout: a malformed token, a bad signature, an unknown issuer, a wrong audience, or a token naming no Keywarden
 * user is {@link AuthOutcome.Kind#UNKNOWN} (counts toward the address lockout); a genuine token that has expired or
 * whose user is disabled or suspended is {@link AuthOutcome.Kind#UNUSABLE} (refused, not counted).
 */
public final class BearerTokenAuthenticator implements Authenticator {

    /** {@link ClientIdentity#credentialKind()} of a call made with an IdP access token. */
    public static final String CREDENTIAL_KIND = "oidc_token";
    private static final Pattern JWT_SHAPE = Pattern.compile("[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]+");
    private static final int MAX_LENGTH = 16 * 1024;

    private final OidcProvider provider;
    private final OidcUserMapper mapper;
    private final UserService users;
    private final Authenticator next;
    private final Cache<String, User> recent = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(1)).build();

    public BearerTokenAuthenticator(OidcProvider provider, OidcUserMapper mapper, UserService users, Authenticator next) {
        this.provider = provider;
        this.mapper = mapper;
        this.users = users;
        this.next = next;
    }

    /** Whether {@code presented} has the shape of a JWS compact serialisation. */
    public static boolean looksLikeJwt(String presented) {
        return presented != null && presented.length() <= MAX_LENGTH && presented.startsWith("ey")
                && JWT_SHAPE.matcher(presented).matches();
    }

    @Override
    public AuthOutcome authenticate(String presented) {
        if (!looksLikeJwt(presented)) {
            return next.authenticate(presented);
        }
        OidcProvider.Resolved idp = provider.resolved();
        JWTClaimsSet claims;
        try {
            claims = idp.accessTokens().process(presented, null);
        } catch (AccessTokenClaimsVerifier.Expired e) {
            return new AuthOutcome.Rejected("the identity-provider token has expired; get a new one from " + provider.issuer(),
                    AuthOutcome.Kind.UNUSABLE);
        } catch (java.text.ParseException | BadJOSEException | JOSEException e) {
            return new AuthOutcome.Rejected("invalid identity-provider token: it is malformed, expired, not for this gateway"
                    + " or not signed by " + provider.issuer());
        }
        OidcIdentity identity = OidcIdentity.from(provider.issuer(), claims.getClaims(), provider.config().groupsClaim().orElse(null));
        User user;
        try {
            String key = identity.issuer() + "\n" + identity.subject();
            User cached = recent.getIfPresent(key);
            user = cached != null ? cached : mapper.map(identity);
            recent.put(key, user);
        } catch (OidcRefusedException e) {
            return new AuthOutcome.Rejected("the identity-provider token is valid but " + e.getMessage(), kindOf(e));
        }
        Optional<Principal> principal = users.principals().current(user.principalId());
        if (principal.isEmpty()) {
            return new AuthOutcome.Rejected("the identity-provider token's user has no principal; ask an operator",
                    AuthOutcome.Kind.UNUSABLE);
        }
        Principal p = principal.get();
        return new AuthOutcome.Authenticated(new ClientIdentity(CREDENTIAL_KIND, user.id(), "oidc:" + user.username(),
                user.username(), p.id(), p.name(), p.kind().wireName(), p.tier()));
    }

    /**
     * A genuine token of a known user who may not call (disabled, suspended) is unusable, not a guess; a token that
     * names nobody Keywarden knows (no subject, not linked with {@code oidc.jit} off) keeps the safe default.
     */
    static AuthOutcome.Kind kindOf(OidcRefusedException e) {
        return switch (e.reason()) {
            case "disabled", "principal_suspended" -> AuthOutcome.Kind.UNUSABLE;
            default -> AuthOutcome.Kind.UNKNOWN;
        };
    }
}
