package dev.keywarden.users.oidc;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.keywarden.config.OidcConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.MalformedURLException;
import java.time.Duration;
import java.util.Set;

/**
 * The identity provider as this gateway sees it: its discovery document, its signing keys and the two validators
 * built on them (ID tokens at sign-in, access tokens presented as bearer credentials). Everything is Nimbus; nothing
 * here parses or checks a JWT by hand.
 *
 * <p>Guarantees: the discovery document is fetched on first use (and again at most every 10 seconds while it cannot
 * be fetched), and its issuer must equal {@code oidc.issuer}; the JWK set is cached for 5 minutes, re-fetched (rate
 * limited) when a token names a key id it does not hold, so a key rotation at the IdP needs no restart; only
 * asymmetric signatures are accepted (never {@code none} or an HMAC keyed with a public value); ID tokens are checked
 * for signature, issuer, audience (the client id), expiry, issue time and nonce ({@link IDTokenValidator}); access
 * tokens for signature, type ({@code JWT} or {@code at+jwt}), exact issuer, audience ({@code oidc.audience}) and
 * expiry, with 60 seconds of clock skew.
 */
public final class OidcProvider {

    private static final Logger LOG = LoggerFactory.getLogger(OidcProvider.class);
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final long RETRY_MILLIS = 10_000;
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    private final OidcConfig config;
    private volatile Resolved resolved;
    private volatile long lastFailure;

    /** What discovery yields: the metadata and the validators that use its keys. */
    record Resolved(OIDCProviderMetadata metadata, IDTokenValidator idTokens, ConfigurableJWTProcessor<SecurityContext> accessTokens) {
    }

    public OidcProvider(OidcConfig config) {
        this.config = config;
    }

    public OidcConfig config() {
        return config;
    }

    /** The configured issuer, exactly as tokens must carry it. */
    public String issuer() {
        return config.issuer().toString();
    }

    /**
     * The discovery document and validators, fetched on first use.
     *
     * @throws IdpUnavailableException when the discovery document cannot be fetched or does not match {@code oidc.issuer}
     */
    Resolved resolved() {
        Resolved r = resolved;
        if (r != null) {
            return r;
        }
        synchronized (this) {
            if (resolved != null) {
                return resolved;
            }
            if (System.currentTimeMillis() - lastFailure < RETRY_MILLIS) {
                throw new IdpUnavailableException("the identity provider's discovery document could not be fetched; retry shortly");
            }
            try {
                resolved = resolve();
                LOG.info("OIDC: discovered {} (authorization {}, keys {})", issuer(), resolved.metadata().getAuthorizationEndpointURI(),
                        resolved.metadata().getJWKSetURI());
                return resolved;
            } catch (IOException | GeneralException | RuntimeException e) {
                lastFailure = System.currentTimeMillis();
                LOG.warn("OIDC: cannot fetch the discovery document of {}: {}", issuer(), e.getClass().getSimpleName()
                        + (e instanceof GeneralException ? " (" + e.getMessage() + ")" : ""));
                throw new IdpUnavailableException("the identity provider's discovery document could not be fetched; retry shortly");
            }
        }
    }

    /** Fetches the discovery document now, logging (not throwing) when it fails: for start-up. */
    public void warmUp() {
        try {
            resolved();
        } catch (IdpUnavailableException e) {
            // logged in resolved(); sign-in retries on first use
        }
    }

    private Resolved resolve() throws IOException, GeneralException {
        Issuer issuer = new Issuer(issuer());
        OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(issuer, CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS);
        if (metadata.getJWKSetURI() == null || metadata.getAuthorizationEndpointURI() == null || metadata.getTokenEndpointURI() == null) {
            throw new GeneralException("the discovery document lacks jwks_uri, authorization_endpoint or token_endpoint");
        }
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(metadata.getJWKSetURI().toURL(),
                            new DefaultResourceRetriever(CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS, 512 * 1024))
                    .cache(Duration.ofMinutes(5).toMillis(), Duration.ofSeconds(15).toMillis())
                    .rateLimited(Duration.ofSeconds(30).toMillis())
                    .retrying(true)
                    .build();
        } catch (MalformedURLException e) {
            throw new GeneralException("jwks_uri is not a URL");
        }
        JWSVerificationKeySelector<SecurityContext> selector = new JWSVerificationKeySelector<>(ALGORITHMS, keys);
        IDTokenValidator idTokens = new IDTokenValidator(issuer, new ClientID(config.clientId()), selector, null);
        DefaultJWTProcessor<SecurityContext> access = new DefaultJWTProcessor<>();
        access.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        access.setJWSKeySelector(selector);
        access.setJWTClaimsSetVerifier(new AccessTokenClaimsVerifier(config.audience(), issuer()));
        return new Resolved(metadata, idTokens, access);
    }

    /** The identity provider cannot be reached or answered something unusable; callers answer 503. */
    public static final class IdpUnavailableException extends RuntimeException {
        public IdpUnavailableException(String message) {
            super(message, null, false, false);
        }
    }
}
