package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keywarden.auth.Principal;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.users.Role;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.keywarden.web.WebTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenID Connect sign-in and IdP bearer tokens against a real OIDC provider running in-process
 * ({@code no.nav.security:mock-oauth2-server}): discovery, JWKS, authorization code + PKCE, ID tokens.
 */
class OidcIT {

    static final String CLIENT_ID = "keywarden-test";
    static final String REDIRECT = "http://127.0.0.1:9/api/oidc/callback";
    static final HttpClient NO_REDIRECTS = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static MockOAuth2Server idp;
    static String issuer;
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        idp = new MockOAuth2Server();
        idp.start();
        issuer = idp.issuerUrl("default").toString();
        Map<String, String> env = new HashMap<>(oidcEnv(true));
        env.put("KEYWARDEN_LIMITS", "on");
        env.put("KEYWARDEN_TIERS_FREE_REQUESTS_PER_MINUTE", "2");
        gw = TestGateway.start(env);
    }

    static Map<String, String> oidcEnv(boolean jit) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KEYWARDEN_OIDC_ISSUER", issuer);
        env.put("KEYWARDEN_OIDC_CLIENT_ID", CLIENT_ID);
        env.put("KEYWARDEN_OIDC_CLIENT_SECRET", "test-client-secret-not-real");
        env.put("KEYWARDEN_OIDC_REDIRECT_URI", REDIRECT);
        env.put("KEYWARDEN_OIDC_GROUPS_CLAIM", "groups");
        env.put("KEYWARDEN_OIDC_GROUP_ROLES", "kw-admins=admin");
        env.put("KEYWARDEN_OIDC_GROUP_TIERS", "kw-pro=pro");
        env.put("KEYWARDEN_OIDC_JIT", jit ? "on" : "off");
        return env;
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
        if (idp != null) {
            idp.shutdown();
        }
    }

    /** The next token the IdP issues is for {@code subject} with these claims. */
    static void nextUser(String subject, Map<String, Object> claims) {
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("default", subject, "JWT", List.of(CLIENT_ID), claims, 3600));
    }

    /** Steps 1 and 2 of a sign-in: the gateway's redirect to the IdP, and the IdP's answer (code + state). */
    static Map<String, String> authorize(TestGateway g, Browser b, String returnTo, String nonceOverride) throws Exception {
        HttpResponse<String> start = b.get(g.uri("/api/oidc/login" + (returnTo == null ? "" : "?return_to=" + returnTo)));
        assertThat(start.statusCode()).as(start.body()).isEqualTo(302);
        String authorize = start.headers().firstValue("location").orElseThrow();
        assertThat(authorize).startsWith(issuer).contains("code_challenge_method=S256", "code_challenge=", "state=", "nonce=",
                "client_id=" + CLIENT_ID).doesNotContain("code_verifier");
        if (nonceOverride != null) {
            authorize = authorize.replaceAll("nonce=[^&]+", "nonce=" + nonceOverride);
        }
        HttpResponse<String> answer = NO_REDIRECTS.send(HttpRequest.newBuilder(URI.create(authorize)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(302);
        URI back = URI.create(answer.headers().firstValue("location").orElseThrow());
        assertThat(back.toString()).startsWith(REDIRECT);
        Map<String, String> query = new HashMap<>();
        for (String kv : back.getRawQuery().split("&")) {
            String[] p = kv.split("=", 2);
            query.put(p[0], URLDecoder.decode(p[1], StandardCharsets.UTF_8));
        }
        return query;
    }

    static HttpResponse<String> callback(TestGateway g, Browser b, Map<String, String> query) throws Exception {
        return b.get(g.uri("/api/oidc/callback?code=" + enc(query.get("code")) + "&state=" + enc(query.get("state"))));
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void publicConfigOffersTheIdentityProviderWithoutItsClientCredentials() throws Exception {
        HttpResponse<String> r = new Browser().get(gw.uri("/api/config"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode oidc = json(r).at("/sign_in/oidc");
        assertThat(oidc.get("login_url").asText()).isEqualTo("/api/oidc/login");
        assertThat(oidc.get("issuer").asText()).isEqualTo(issuer);
        assertThat(oidc.get("provider_name").asText()).isEqualTo(URI.create(issuer).getHost());
        assertThat(json(r).at("/sign_in/local").asBoolean()).isTrue();
        assertThat(r.body()).doesNotContain("test-client-secret-not-real").doesNotContain(CLIENT_ID);
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
    }

    @Test
    void aGoodSignInCreatesTheUserJustInTimeMapsGroupsAndOpensASession() throws Exception {
        String sub = "sub-" + UUID.randomUUID();
        nextUser(sub, Map.of("preferred_username", "Grace.H", "name", "Grace Hopper", "groups", List.of("kw-admins", "kw-pro")));
        Browser b = new Browser();
        Map<String, String> answer = authorize(gw, b, "/chat", null);
        HttpResponse<String> done = callback(gw, b, answer);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(302);
        assertThat(done.headers().firstValue("location")).contains("/chat");
        assertThat(b.cookies).containsKey("kw_session").doesNotContainKey("kw_oidc");

        JsonNode me = json(b.get(gw.uri("/api/session")));
        assertThat(me.at("/user/username").asText()).isEqualTo("grace.h");
        assertThat(me.at("/user/display_name").asText()).isEqualTo("Grace Hopper");
        assertThat(me.at("/user/role").asText()).isEqualTo("admin");
        assertThat(me.at("/user/tier").asText()).isEqualTo("pro");
        assertThat(me.at("/session/method").asText()).isEqualTo("oidc");
        User u = gw.gateway.users().users().findByIdentity(issuer, sub).orElseThrow();
        assertThat(gw.gateway.users().users().principals().find(u.principalId()).orElseThrow().kind()).isEqualTo(Principal.Kind.USER);
    }

    @Test
    void aReplayedStateIsRefused() throws Exception {
        nextUser("sub-" + UUID.randomUUID(), Map.of());
        Browser b = new Browser();
        Map<String, String> answer = authorize(gw, b, null, null);
        String loginCookie = b.cookies.get("kw_oidc");
        assertThat(callback(gw, b, answer).statusCode()).isEqualTo(302);
        b.cookies.put("kw_oidc", loginCookie);
        HttpResponse<String> replay = callback(gw, b, answer);
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(json(replay).at("/error/message").asText()).contains("already used");
    }

    @Test
    void aStateThatThisBrowserDidNotStartIsRefused() throws Exception {
        nextUser("sub-" + UUID.randomUUID(), Map.of());
        Browser victim = new Browser();
        Map<String, String> answer = authorize(gw, victim, null, null);
        Browser attacker = new Browser();
        HttpResponse<String> r = callback(gw, attacker, answer);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(attacker.cookies).doesNotContainKey("kw_session");
        assertThat(callback(gw, victim, answer).statusCode()).as("the refused attempt did not use up the victim's sign-in").isEqualTo(302);
    }

    @Test
    void anIdTokenWithAnotherNonceIsRefused() throws Exception {
        nextUser("sub-" + UUID.randomUUID(), Map.of());
        Browser b = new Browser();
        Map<String, String> answer = authorize(gw, b, null, "a-nonce-the-gateway-never-made");
        HttpResponse<String> r = callback(gw, b, answer);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(json(r).at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(json(r).at("/error/message").asText()).contains("ID token did not verify");
        assertThat(b.cookies).doesNotContainKey("kw_session");
    }

    @Test
    void theReturnPathCannotLeadToAnotherSite() throws Exception {
        nextUser("sub-" + UUID.randomUUID(), Map.of());
        Browser b = new Browser();
        HttpResponse<String> done = callback(gw, b, authorize(gw, b, "//evil.example/x", null));
        assertThat(done.headers().firstValue("location")).contains("/");
    }

    @Test
    void withoutJitOnlyLinkedUsersMaySignIn() throws Exception {
        try (TestGateway strict = TestGateway.start(oidcEnv(false))) {
            String sub = "sub-" + UUID.randomUUID();
            nextUser(sub, Map.of("preferred_username", "mallory"));
            Browser b = new Browser();
            HttpResponse<String> refused = callback(strict, b, authorize(strict, b, null, null));
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(json(refused).at("/error/type").asText()).isEqualTo("permission_error");
            assertThat(strict.gateway.users().users().list()).isEmpty();

            strict.gateway.users().users().add(new UserService.NewUser("linked", null, Role.USER, null, issuer, sub), null, "test");
            nextUser(sub, Map.of());
            Browser again = new Browser();
            assertThat(callback(strict, again, authorize(strict, again, null, null)).statusCode()).isEqualTo(302);
            assertThat(json(again.get(strict.uri("/api/session"))).at("/user/username").asText()).isEqualTo("linked");
        }
    }

    static HttpResponse<byte[]> messagesWithBearer(String token) throws Exception {
        return gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("authorization", "Bearer " + token)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build());
    }

    static String errorType(HttpResponse<byte[]> r) throws Exception {
        return WebTesting.JSON.readTree(r.body()).at("/error/type").asText();
    }

    @Test
    void anIdpAccessTokenIsAcceptedOnMessagesAsItsUsersPrincipalAndLimitsApply() throws Exception {
        String sub = "sub-" + UUID.randomUUID();
        User u = gw.gateway.users().users().add(new UserService.NewUser("mobile-" + sub.substring(4, 12), null, Role.USER, null, issuer, sub),
                null, "test");
        SignedJWT token = idp.issueToken("default", sub, CLIENT_ID, Map.of(), 300);
        HttpResponse<byte[]> ok = messagesWithBearer(token.serialize());
        assertThat(ok.statusCode()).as(new String(ok.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        ExchangeRecord record = gw.awaitRecord(r -> r.identity() != null && u.id().equals(r.identity().credentialId()));
        assertThat(record.identity().principalId()).isEqualTo(u.principalId());
        assertThat(record.identity().credentialKind()).isEqualTo("oidc_token");

        assertThat(messagesWithBearer(token.serialize()).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> limited = messagesWithBearer(token.serialize());
        assertThat(limited.statusCode()).as("the free tier allows 2 requests a minute per principal").isEqualTo(429);

        gw.gateway.users().users().principals().suspend(u.principalId());
        Thread.sleep(1100); // principals are re-read at most once a second (PrincipalService.CURRENT_TTL)
        HttpResponse<byte[]> suspended = messagesWithBearer(token.serialize());
        assertThat(suspended.statusCode()).isIn(401, 403);
    }

    @Test
    void forgedExpiredAndWrongAudienceTokensAreRefusedWith401AndNeverLogged() throws Exception {
        String sub = "sub-" + UUID.randomUUID();
        gw.gateway.users().users().add(new UserService.NewUser("bearer-" + sub.substring(4, 12), null, Role.USER, null, issuer, sub),
                null, "test");
        SignedJWT real = idp.issueToken("default", sub, CLIENT_ID, Map.of(), 300);
        RSAKey attackerKey = new RSAKeyGenerator(2048).keyID(real.getHeader().getKeyID()).generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(attackerKey.getKeyID()).build(),
                real.getJWTClaimsSet());
        forged.sign(new RSASSASigner(attackerKey));
        SignedJWT expired = idp.issueToken("default", sub, CLIENT_ID, Map.of(), -600);
        SignedJWT otherAudience = idp.issueToken("default", sub, "another-app", Map.of(), 300);
        SignedJWT unsigned = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("nope").build(),
                new JWTClaimsSet.Builder(real.getJWTClaimsSet()).expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
        unsigned.sign(new RSASSASigner(new RSAKeyGenerator(2048).generate()));

        try (LogCapture logs = LogCapture.startDebugEverything()) {
            for (SignedJWT bad : List.of(forged, expired, otherAudience, unsigned)) {
                HttpResponse<byte[]> r = messagesWithBearer(bad.serialize());
                assertThat(r.statusCode()).as(bad.getJWTClaimsSet().toString()).isEqualTo(401);
                assertThat(errorType(r)).isEqualTo("authentication_error");
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(bad.serialize().split("\\.")[2].substring(0, 20));
            }
            String logged = logs.text();
            for (SignedJWT t : List.of(real, forged, expired, otherAudience)) {
                assertThat(logged).doesNotContain(t.serialize().split("\\.")[2].substring(0, 20));
            }
        }
        assertThat(messagesWithBearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").statusCode()).isEqualTo(401);
        assertThat(gw.postMessages(TestGateway.messageBody("virtual keys still work", false)).statusCode()).isEqualTo(200);
    }

    static HttpResponse<byte[]> chatWithBearer(String token, String body) throws Exception {
        return gw.send(HttpRequest.newBuilder(gw.uri("/api/chat")).header("authorization", "Bearer " + token)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void anIdpAccessTokenCallsTheChatEndpointWithoutCsrfAsItsUsersPrincipalAndABadOneIs401() throws Exception {
        String sub = "sub-" + UUID.randomUUID();
        User u = gw.gateway.users().users().add(new UserService.NewUser("chat-" + sub.substring(4, 12), null, Role.USER, null, issuer,
                sub), null, "test");
        SignedJWT token = idp.issueToken("default", sub, CLIENT_ID, Map.of(), 300);
        HttpResponse<byte[]> ok = chatWithBearer(token.serialize(), "{\"messages\":[\"hello from the app\"]}");
        assertThat(ok.statusCode()).as(new String(ok.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        String id = ok.headers().firstValue("keywarden-request-id").orElseThrow();
        ExchangeRecord record = gw.awaitRecord(r -> r.requestId().equals(id));
        assertThat(record.identity().credentialKind()).isEqualTo("oidc_token");
        assertThat(record.identity().principalId()).isEqualTo(u.principalId());
        String forwarded = gw.upstream.exchanges().get(gw.upstream.exchanges().size() - 1).requestBodyText();
        assertThat(forwarded).contains("<user_input>hello from the app</user_input>").contains("\"user_id\":\"" + u.id() + "\"")
                .doesNotContain(token.serialize());

        SignedJWT expired = idp.issueToken("default", sub, CLIENT_ID, Map.of(), -600);
        int before = gw.upstream.requestCount();
        HttpResponse<byte[]> refused = chatWithBearer(expired.serialize(), "{\"messages\":[\"hi\"]}");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(errorType(refused)).isEqualTo("authentication_error");
        String refusedId = refused.headers().firstValue("request-id").orElseThrow();
        assertThat(gw.awaitRecord(r -> r.requestId().equals(refusedId)).status()).as("the pipeline refused and recorded it").isEqualTo(401);
        assertThat(chatWithBearer("kw_notajwt", "{\"messages\":[\"hi\"]}").statusCode()).isEqualTo(401);
        assertThat(gw.upstream.requestCount()).isEqualTo(before);
    }
}
