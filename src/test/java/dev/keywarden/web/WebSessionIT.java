package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.users.Role;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.keywarden.web.WebTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Local sign-in, sessions and CSRF through the real gateway ({@code /api/session}). */
class WebSessionIT {

    static final String PASSWORD = "violet tractor anthem";
    static final AtomicInteger N = new AtomicInteger();
    static TestGateway gw;
    static String adminToken;

    @BeforeAll
    static void start() throws Exception {
        // address throttling is proven in UserServiceTest; here every test signs in from 127.0.0.1
        gw = TestGateway.start(Map.of("KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "0"));
        adminToken = WebTesting.adminToken(gw.dataDir);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static User newUser() {
        return gw.gateway.users().users().add(new UserService.NewUser("user" + N.incrementAndGet(), "User", Role.USER, null, null, null),
                PASSWORD.toCharArray(), "test");
    }

    static URI session() {
        return gw.uri("/api/session");
    }

    static Browser signedIn(User u) throws Exception {
        Browser b = new Browser();
        HttpResponse<String> r = b.post(session(), Browser.signInBody(u.username(), PASSWORD));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return b;
    }

    static String csrf(Browser b) throws Exception {
        return json(b.get(session())).get("csrf_token").asText();
    }

    static void assertErrorShape(HttpResponse<String> r, int status, String type) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.at("/error/type").asText()).isEqualTo(type);
        assertThat(body.get("request_id").asText()).startsWith("req_kw");
        assertThat(r.headers().firstValue("request-id")).contains(body.get("request_id").asText());
    }

    @Test
    void publicConfigWithoutOidcOffersTheLocalAccountOnly() throws Exception {
        HttpResponse<String> r = new Browser().get(gw.uri("/api/config"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).at("/sign_in/local").asBoolean()).isTrue();
        assertThat(json(r).at("/sign_in/oidc").isNull()).isTrue();
        HttpResponse<String> post = new Browser().post(gw.uri("/api/config"), "{}");
        assertErrorShape(post, 405, "invalid_request_error");
        assertThat(post.headers().firstValue("allow")).contains("GET");
    }

    @Test
    void signInSetsAStrictHttpOnlySessionCookieAndAnswersTheUserAndACsrfToken() throws Exception {
        User u = newUser();
        Browser b = new Browser();
        HttpResponse<String> r = b.post(session(), Browser.signInBody(u.username(), PASSWORD));
        assertThat(r.statusCode()).isEqualTo(200);
        String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
        assertThat(setCookie).startsWith("kw_session=kw_ses_").contains("; Path=/", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200")
                .as("plain-HTTP loopback development: no Secure, no __Host- prefix").doesNotContain("Secure");
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
        JsonNode body = json(r);
        assertThat(body.at("/user/username").asText()).isEqualTo(u.username());
        assertThat(body.at("/user/principal_id").asText()).isEqualTo(u.principalId());
        assertThat(body.at("/user/tier").asText()).isEqualTo("free");
        assertThat(body.at("/session/idle_timeout_seconds").asLong()).isEqualTo(1800);
        String token = b.cookies.get("kw_session");
        assertThat(r.body()).doesNotContain(PASSWORD).doesNotContain(token);

        HttpResponse<String> me = b.get(session());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(json(me).get("csrf_token").asText()).isEqualTo(body.get("csrf_token").asText());
        assertThat(json(me).at("/session/id").asText()).isEqualTo(body.at("/session/id").asText());
    }

    @Test
    void anUnknownUserAndAWrongPasswordGetTheSameAnswer() throws Exception {
        User u = newUser();
        HttpResponse<String> wrong = new Browser().post(session(), Browser.signInBody(u.username(), "not the password at all"));
        HttpResponse<String> unknown = new Browser().post(session(), Browser.signInBody("nobody-" + N.incrementAndGet(), PASSWORD));
        assertErrorShape(wrong, 401, "authentication_error");
        assertErrorShape(unknown, 401, "authentication_error");
        assertThat(json(wrong).get("error")).isEqualTo(json(unknown).get("error"));
        assertThat(wrong.headers().firstValue("set-cookie")).isEmpty();
        assertThat(new Browser().get(session()).statusCode()).isEqualTo(401);
    }

    @Test
    void signingInGivesANewSessionIdAndEndsTheOnePresented() throws Exception {
        User u = newUser();
        Browser b = signedIn(u);
        String first = b.cookies.get("kw_session");
        HttpResponse<String> again = b.post(session(), Browser.signInBody(u.username(), PASSWORD));
        assertThat(again.statusCode()).isEqualTo(200);
        String second = b.cookies.get("kw_session");
        assertThat(second).isNotEqualTo(first);
        Browser stale = new Browser();
        stale.cookies.put("kw_session", first);
        assertThat(stale.get(session()).statusCode()).as("the session presented at sign-in ended").isEqualTo(401);
        assertThat(b.get(session()).statusCode()).isEqualTo(200);

        // a session id planted by an attacker (fixation) is never adopted
        Browser victim = new Browser();
        victim.cookies.put("kw_session", "kw_ses_" + "A".repeat(38));
        victim.post(session(), Browser.signInBody(u.username(), PASSWORD));
        assertThat(victim.cookies.get("kw_session")).isNotEqualTo("kw_ses_" + "A".repeat(38)).startsWith("kw_ses_");
    }

    @Test
    void signOutNeedsTheSessionsCsrfTokenFromTheSameOrigin() throws Exception {
        User u = newUser();
        Browser b = signedIn(u);
        Browser other = signedIn(newUser());
        String token = csrf(b);
        String origin = gw.gateway.baseUri().toString();

        assertErrorShape(b.delete(session()), 403, "permission_error");
        assertThat(json(b.delete(session())).at("/error/message").asText()).contains("missing CSRF token");
        assertErrorShape(b.delete(session(), "x-csrf-token", "wrong"), 403, "permission_error");
        assertErrorShape(b.delete(session(), "x-csrf-token", csrf(other)), 403, "permission_error");
        assertErrorShape(b.delete(session(), "x-csrf-token", token, "sec-fetch-site", "cross-site"), 403, "permission_error");
        assertErrorShape(b.delete(session(), "x-csrf-token", token, "origin", "https://evil.example"), 403, "permission_error");
        assertErrorShape(b.delete(session(), "x-csrf-token", token, "origin", "null"), 403, "permission_error");
        assertThat(b.get(session()).statusCode()).as("no refused sign-out ended the session").isEqualTo(200);

        HttpResponse<String> out = b.delete(session(), "x-csrf-token", token, "origin", origin.replaceAll("/$", ""),
                "sec-fetch-site", "same-origin");
        assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
        assertThat(out.headers().firstValue("set-cookie").orElseThrow()).startsWith("kw_session=;").contains("Max-Age=0");
        assertThat(b.get(session()).statusCode()).isEqualTo(401);
        assertErrorShape(b.delete(session(), "x-csrf-token", token), 401, "authentication_error");
    }

    @Test
    void aSignInFromAnotherSiteIsRefused() throws Exception {
        User u = newUser();
        Browser b = new Browser();
        assertErrorShape(b.post(session(), Browser.signInBody(u.username(), PASSWORD), "origin", "https://evil.example"),
                403, "permission_error");
        assertErrorShape(b.post(session(), Browser.signInBody(u.username(), PASSWORD), "sec-fetch-site", "cross-site"),
                403, "permission_error");
        assertThat(b.cookies).isEmpty();
    }

    @Test
    void adminRevocationEndsSessionsAtOnce() throws Exception {
        User u = newUser();
        Browser one = signedIn(u);
        Browser two = signedIn(u);
        Browser three = signedIn(u);
        String oneId = json(one.get(session())).at("/session/id").asText();
        HttpResponse<String> listed = WebTesting.admin(gw, adminToken, "GET", "/admin/v1/users/" + u.id() + "/sessions", null);
        assertThat(json(listed).get("data")).hasSize(3);
        assertThat(listed.body()).doesNotContain(one.cookies.get("kw_session"));

        assertThat(WebTesting.admin(gw, adminToken, "DELETE", "/admin/v1/sessions/" + oneId, null).statusCode()).isEqualTo(200);
        assertThat(one.get(session()).statusCode()).isEqualTo(401);
        assertThat(two.get(session()).statusCode()).isEqualTo(200);

        HttpResponse<String> all = WebTesting.admin(gw, adminToken, "DELETE", "/admin/v1/users/" + u.username() + "/sessions", null);
        assertThat(json(all).get("revoked").asInt()).isEqualTo(2);
        assertThat(two.get(session()).statusCode()).isEqualTo(401);
        assertThat(three.get(session()).statusCode()).isEqualTo(401);
    }

    @Test
    void aPasswordResetOrADisableThroughTheAdminApiEndsEverySession() throws Exception {
        User u = newUser();
        Browser b = signedIn(u);
        HttpResponse<String> reset = WebTesting.admin(gw, adminToken, "POST", "/admin/v1/users/" + u.id() + "/reset-password",
                "{\"password\":\"orange kayak lantern\"}");
        assertThat(reset.statusCode()).as(reset.body()).isEqualTo(200);
        assertThat(reset.body()).doesNotContain("orange kayak lantern");
        assertThat(b.get(session()).statusCode()).isEqualTo(401);
        assertThat(new Browser().post(session(), Browser.signInBody(u.username(), PASSWORD)).statusCode()).isEqualTo(401);

        Browser again = new Browser();
        assertThat(again.post(session(), Browser.signInBody(u.username(), "orange kayak lantern")).statusCode()).isEqualTo(200);
        assertThat(WebTesting.admin(gw, adminToken, "POST", "/admin/v1/users/" + u.id() + "/disable", null).statusCode()).isEqualTo(200);
        assertThat(again.get(session()).statusCode()).isEqualTo(401);
        assertThat(new Browser().post(session(), Browser.signInBody(u.username(), "orange kayak lantern")).statusCode()).isEqualTo(401);
    }

    @Test
    void theAdminApiManagesUsersWithoutEverReturningAPassword() throws Exception {
        String name = "api-user-" + N.incrementAndGet();
        HttpResponse<String> weak = WebTesting.admin(gw, adminToken, "POST", "/admin/v1/users",
                "{\"username\":\"" + name + "\",\"password\":\"short\"}");
        assertErrorShape(weak, 400, "invalid_request_error");
        HttpResponse<String> created = WebTesting.admin(gw, adminToken, "POST", "/admin/v1/users",
                "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\",\"role\":\"admin\",\"tier\":\"pro\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(json(created).get("role").asText()).isEqualTo("admin");
        HttpResponse<String> list = WebTesting.admin(gw, adminToken, "GET", "/admin/v1/users", null);
        assertThat(list.body()).contains(name).doesNotContain(PASSWORD).doesNotContain("argon2");
        Browser b = new Browser();
        assertThat(json(b.post(session(), Browser.signInBody(name, PASSWORD))).at("/user/tier").asText()).isEqualTo("pro");
        assertThat(WebTesting.admin(gw, adminToken, "DELETE", "/admin/v1/users/" + name, null).statusCode()).isEqualTo(200);
        assertThat(b.get(session()).statusCode()).isEqualTo(401);
    }

    @Test
    void repeatedFailuresForOneAccountAnswer429WithRetryAfter() throws Exception {
        User u = newUser();
        for (int i = 0; i < 5; i++) {
            assertThat(new Browser().post(session(), Browser.signInBody(u.username(), "wrong wrong wrong")).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> locked = new Browser().post(session(), Browser.signInBody(u.username(), PASSWORD));
        assertErrorShape(locked, 429, "rate_limit_error");
        assertThat(locked.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 300L));
    }

    @Test
    void badRequestsGetClearErrorsInAnthropicsShape() throws Exception {
        Browser b = new Browser();
        assertErrorShape(b.post(session(), "not json"), 400, "invalid_request_error");
        assertErrorShape(b.post(session(), "{\"username\":\"x\"}"), 400, "invalid_request_error");
        assertErrorShape(b.get(gw.uri("/api/nothing-here")), 404, "not_found_error");
        HttpResponse<String> put = b.send(java.net.http.HttpRequest.newBuilder(session()).PUT(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertErrorShape(put, 405, "invalid_request_error");
        assertErrorShape(b.get(gw.uri("/api/oidc/login")), 404, "not_found_error");
        assertThat(gw.postMessages(TestGateway.messageBody("still proxied", false)).statusCode()).isEqualTo(200);
    }

    @Test
    void aPasswordAndASessionIdNeverAppearInLogsAuditRowsOrBodies() throws Exception {
        User u = newUser();
        String canaryPassword = "canary-" + dev.keywarden.testing.TestKeys.random(24).replace('"', 'x').replace('\\', 'y');
        gw.gateway.users().users().resetPassword(u.id(), canaryPassword.toCharArray(), "test");
        String token;
        String csrf;
        Browser b = new Browser();
        try (LogCapture logs = LogCapture.startDebugEverything()) {
            assertThat(b.post(session(), Browser.signInBody(u.username(), canaryPassword)).statusCode()).isEqualTo(200);
            token = b.cookies.get("kw_session");
            csrf = csrf(b);
            new Browser().post(session(), Browser.signInBody(u.username(), canaryPassword + "x"));
            assertThat(b.delete(session(), "x-csrf-token", csrf).statusCode()).isEqualTo(200);
            String audit = WebTesting.awaitAudit(gw.dataDir, "session.signed_out");
            assertThat(audit).contains("session.signed_in", "user.sign_in_failed", "session.signed_out")
                    .doesNotContain(canaryPassword).doesNotContain(token).doesNotContain(token.substring(7, 30)).doesNotContain(csrf);
            assertThat(logs.text()).doesNotContain(canaryPassword).doesNotContain(token.substring(7, 30)).doesNotContain(csrf.substring(8, 40));
        }
        assertThat(String.join("\n", b.seen)).doesNotContain(canaryPassword).doesNotContain(token);
        assertThat(b.setCookies).anyMatch(c -> c.contains(token));
    }

    @Test
    void withSecureCookiesTheSessionCookieIsHostPrefixedAndSecure() throws Exception {
        try (TestGateway secure = TestGateway.start(Map.of("KEYWARDEN_SESSION_SECURE_COOKIE", "on"))) {
            secure.gateway.users().users().add(new UserService.NewUser("sec", null, Role.USER, null, null, null),
                    PASSWORD.toCharArray(), "test");
            Browser b = new Browser();
            HttpResponse<String> r = b.post(secure.uri("/api/session"), Browser.signInBody("sec", PASSWORD));
            assertThat(r.headers().firstValue("set-cookie").orElseThrow()).startsWith("__Host-kw_session=kw_ses_")
                    .contains("; Path=/", "; HttpOnly", "; Secure", "; SameSite=Strict").doesNotContain("Domain");
            assertThat(b.get(secure.uri("/api/session")).statusCode()).isEqualTo(200);
            Browser plainName = new Browser();
            plainName.cookies.put("kw_session", b.cookies.get("__Host-kw_session"));
            assertThat(plainName.get(secure.uri("/api/session")).statusCode()).as("only the __Host- cookie counts").isEqualTo(401);
        }
    }
}
