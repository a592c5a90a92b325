package dev.keywarden.users.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.keywarden.config.OidcConfig;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ID-token checks against a real in-process OIDC provider's discovery document and JWKS. */
class OidcProviderTest {

    static MockOAuth2Server idp;
    static OidcProvider provider;

    @BeforeAll
    static void start() {
        idp = new MockOAuth2Server();
        idp.start();
        OidcConfig config = new OidcConfig(URI.create(idp.issuerUrl("default").toString()), "kw-client", Optional.empty(),
                URI.create("http://127.0.0.1:9/api/oidc/callback"), List.of("openid"), "kw-client", Optional.empty(), Map.of(),
                Map.of(), false);
        provider = new OidcProvider(config);
    }

    @AfterAll
    static void stop() {
        idp.shutdown();
    }

    static SignedJWT idToken(String audience, long expirySeconds, String nonce) {
        return idp.issueToken("default", "alice-sub", audience, Map.of("nonce", nonce), expirySeconds);
    }

    @Test
    void discoveryFindsTheProvidersEndpointsAndKeys() {
        OidcProvider.Resolved r = provider.resolved();
        assertThat(r.metadata().getIssuer().getValue()).isEqualTo(provider.issuer());
        assertThat(r.metadata().getJWKSetURI()).isNotNull();
    }

    @Test
    void aGoodIdTokenVerifies() throws Exception {
        assertThat(provider.resolved().idTokens().validate(idToken("kw-client", 300, "n-1"), new Nonce("n-1")).getSubject().getValue())
                .isEqualTo("alice-sub");
    }

    @Test
    void anIdTokenForAnotherAudienceAnotherNonceExpiredOrSignedByAnotherKeyIsRefused() throws Exception {
        var validator = provider.resolved().idTokens();
        assertThatThrownBy(() -> validator.validate(idToken("someone-else", 300, "n-1"), new Nonce("n-1")))
                .hasMessageContaining("audience");
        assertThatThrownBy(() -> validator.validate(idToken("kw-client", 300, "n-1"), new Nonce("n-2")))
                .hasMessageContaining("nonce");
        assertThatThrownBy(() -> validator.validate(idToken("kw-client", -600, "n-1"), new Nonce("n-1")))
                .hasMessageContaining("xpired");
        SignedJWT real = idToken("kw-client", 300, "n-1");
        RSAKey attacker = new RSAKeyGenerator(2048).keyID(real.getHeader().getKeyID()).generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(attacker.getKeyID()).build(), real.getJWTClaimsSet());
        forged.sign(new RSASSASigner(attacker));
        assertThatThrownBy(() -> validator.validate(forged, new Nonce("n-1"))).hasMessageContaining("signature");
    }

    @Test
    void anUnreachableProviderIsReportedAsUnavailableNotAsABadToken() {
        OidcConfig config = new OidcConfig(URI.create("http://127.0.0.1:9/nowhere"), "kw-client", Optional.empty(),
                URI.create("http://127.0.0.1:9/api/oidc/callback"), List.of("openid"), "kw-client", Optional.empty(), Map.of(),
                Map.of(), false);
        OidcProvider down = new OidcProvider(config);
        assertThatThrownBy(down::resolved).isInstanceOf(OidcProvider.IdpUnavailableException.class);
        BearerTokenAuthenticator bearer = new BearerTokenAuthenticator(down, null, null, presented -> {
            throw new AssertionError("a JWT never reaches the next authenticator");
        });
        assertThatThrownBy(() -> bearer.authenticate(idToken("kw-client", 300, "n").serialize()))
                .isInstanceOf(OidcProvider.IdpUnavailableException.class);
    }

    @Test
    void onlyJwtShapedCredentialsAreTreatedAsIdpTokens() {
        assertThat(BearerTokenAuthenticator.looksLikeJwt(idToken("kw-client", 300, "n").serialize())).isTrue();
        assertThat(BearerTokenAuthenticator.looksLikeJwt("kw_abcdefghijklmnopqrstuvwxyz0123456789AB")).isFalse();
        assertThat(BearerTokenAuthenticator.looksLikeJwt("kw_tmp_abc.def.ghi")).isFalse();
        assertThat(BearerTokenAuthenticator.looksLikeJwt("sk-ant-api03-x")).isFalse();
        assertThat(BearerTokenAuthenticator.looksLikeJwt(null)).isFalse();
    }
}
