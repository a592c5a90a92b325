package dev.keywarden.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.users.Role;
import dev.keywarden.users.UserService;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.Test;

/**
 * The address lockout counts guesses of identity-provider tokens, not known tokens refused for a reason: an expired
 * token of the real IdP, or a token of a disabled user, is refused each time without locking out the other clients
 * on the address; forged tokens do lock it out. Runs against the in-process mock-oauth2-server.
 */
class OidcLockoutCountsGuessesIT {

    static final String CLIENT_ID = "keywarden-lockout-test";

    @Test
    void expiredAndDisabledUserTokensLockNobodyOutButTwentyForgedTokensDo() throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start();
        try {
            String issuer = idp.issuerUrl("default").toString();
            TestGateway gw = TestGateway.start(Map.of(
                    "KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "20",
                    "KEYWARDEN_OIDC_ISSUER", issuer,
                    "KEYWARDEN_OIDC_CLIENT_ID", CLIENT_ID,
                    "KEYWARDEN_OIDC_CLIENT_SECRET", "test-client-secret-not-real",
                    "KEYWARDEN_OIDC_REDIRECT_URI", "http://127.0.0.1:9/api/oidc/callback",
                    "KEYWARDEN_OIDC_JIT", "off"));
            try (gw) {
                UserService users = gw.gateway.users().users();
                String active = "sub-" + UUID.randomUUID();
                users.add(new UserService.NewUser("active-" + active.substring(4, 12), null, Role.USER, null, issuer, active), null, "test");
                String gone = "sub-" + UUID.randomUUID();
                users.add(new UserService.NewUser("gone-" + gone.substring(4, 12), null, Role.USER, null, issuer, gone), null, "test");
                users.disable("gone-" + gone.substring(4, 12), "test");

                SignedJWT valid = idp.issueToken("default", active, CLIENT_ID, Map.of(), 300);
                assertThat(status(gw, valid.serialize())).as("a valid IdP token").isEqualTo(200);

                SignedJWT expired = idp.issueToken("default", active, CLIENT_ID, Map.of(), -600);
                for (int i = 0; i < 30; i++) {
                    assertThat(status(gw, expired.serialize())).as("expired %d", i).isEqualTo(401);
                }
                SignedJWT disabled = idp.issueToken("default", gone, CLIENT_ID, Map.of(), 300);
                for (int i = 0; i < 30; i++) {
                    assertThat(status(gw, disabled.serialize())).as("disabled user %d", i).isEqualTo(401);
                }
                assertThat(status(gw, valid.serialize())).as("another client's valid token on the same address").isEqualTo(200);

                RSAKey attacker = new RSAKeyGenerator(2048).keyID(valid.getHeader().getKeyID()).generate();
                for (int i = 0; i < 20; i++) {
                    SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(attacker.getKeyID()).build(),
                            valid.getJWTClaimsSet());
                    forged.sign(new RSASSASigner(attacker));
                    assertThat(status(gw, forged.serialize())).as("forged %d", i).isEqualTo(401);
                }
                assertThat(status(gw, valid.serialize())).as("twenty forged tokens lock the address out").isEqualTo(429);
            }
        } finally {
            idp.shutdown();
        }
    }

    /** One call with a bearer token on a connection of its own (a 401 before the body is read closes it). */
    static int status(TestGateway gw, String token) throws Exception {
        byte[] body = TestGateway.messageBody("hi", false).getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", gw.gateway.port()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nauthorization: Bearer " + token
                    + "\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}
