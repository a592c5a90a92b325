package dev.keywarden.users.oidc;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;

import java.util.Date;
import java.util.Set;

/**
 * Checks the claims of an identity-provider access token (audience, issuer, {@code sub}, {@code exp}) and tells an
 * expired token apart from every other refusal: it throws {@link Expired} only when the token is past its expiry and
 * would otherwise be accepted. Nimbus runs claim checks only after the signature verified, so {@link Expired} means
 * "a token the identity provider really issued for this gateway, now too old" — a known credential, not a guess.
 * No exception message is parsed: the verdict comes from re-checking the same claims with the expiry moved forward.
 */
final class AccessTokenClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {

    /** The token is genuine and for this gateway but expired. */
    static final class Expired extends BadJWTException {
        Expired() {
            super("Expired JWT");
        }
    }

    AccessTokenClaimsVerifier(String audience, String issuer) {
        super(Set.of(audience), new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp"), null);
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        try {
            super.verify(claims, context);
        } catch (BadJWTException refused) {
            if (claims.getExpirationTime() != null && claims.getExpirationTime().before(new Date())) {
                JWTClaimsSet unexpired = new JWTClaimsSet.Builder(claims)
                        .expirationTime(new Date(System.currentTimeMillis() + 3_600_000L)).build();
                try {
                    super.verify(unexpired, context);
                } catch (BadJWTException otherwiseRefused) {
                    throw refused;
                }
                throw new Expired();
            }
            throw refused;
        }
    }
}
