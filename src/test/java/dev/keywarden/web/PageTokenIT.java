package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.users.Role;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.keywarden.web.WebTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/tokens}: a signed-in page mints a short-lived token bound to its origin, which then works on
 * {@code /v1/messages} from that origin and from no other; session and CSRF rules as for every state change.
 */
class PageTokenIT {

    static final String PASSWORD = "violet tractor anthem";
    static final AtomicInteger N = new AtomicInteger();
    static TestGateway gw;
    static String origin;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start(Map.of("KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "0"));
        origin = "http://127.0.0.1:" + gw.gateway.port();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    record Page(User user, Browser browser, String csrf) {
    }

    static Page signIn() throws Exception {
        User u = gw.gateway.users().users().add(new UserService.NewUser("page" + N.incrementAndGet(), null, Role.USER, null, null, null),
                PASSWORD.toCharArray(), "test");
        Browser b = new Browser();
        assertThat(b.post(gw.uri("/api/session"), Browser.signInBody(u.username(), PASSWORD)).statusCode()).isEqualTo(200);
        return new Page(u, b, json(b.get(gw.uri("/api/session"))).get("csrf_token").asText());
    }

    static HttpResponse<String> mint(Page p, String body, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "x-csrf-token";
        all[1] = p.csrf();
        System.arraycopy(headers, 0, all, 2, headers.length);
        return p.browser().post(gw.uri("/api/tokens"), body, all);
    }

    static HttpResponse<byte[]> messages(String token, String fromOrigin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/v1/messages")).header("authorization", "Bearer " + token)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi from the page", false)));
        if (fromOrigin != null) {
            b.header("origin", fromOrigin);
        }
        return gw.send(b.build());
    }

    static void assertError(HttpResponse<String> r, int status, String type) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(json(r).at("/error/type").asText()).isEqualTo(type);
        assertThat(r.headers().firstValue("request-id")).contains(json(r).get("request_id").asText());
    }

    @Test
    void aPageMintsAFiveMinuteTokenBoundToItsOriginThatWorksFromThereAndNowhereElse() throws Exception {
        Page p = signIn();
        HttpResponse<String> r = mint(p, "{}", "origin", origin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
        JsonNode t = json(r);
        assertThat(t.get("token").asText()).startsWith("kw_tmp_");
        assertThat(t.get("expires_in").asLong()).isEqualTo(300);
        assertThat(t.get("principal_id").asText()).isEqualTo(p.user().principalId());
        assertThat(t.get("origins")).hasSize(1);
        assertThat(t.at("/origins/0").asText()).isEqualTo(origin);
        String token = t.get("token").asText();

        HttpResponse<byte[]> ok = messages(token, origin);
        assertThat(ok.statusCode()).isEqualTo(200);
        String id = ok.headers().firstValue("keywarden-request-id").orElseThrow();
        ExchangeRecord rec = gw.awaitRecord(x -> x.requestId().equals(id));
        assertThat(rec.identity().credentialKind()).isEqualTo("token");
        assertThat(rec.identity().principalId()).isEqualTo(p.user().principalId());
        assertThat(rec.identity().name()).isEqualTo(p.user().username());

        HttpResponse<byte[]> foreign = messages(token, "https://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(messages(token, null).statusCode()).as("a call without an Origin").isEqualTo(403);
        assertThat(gw.responsesSeen().toString()).doesNotContain(token);
    }

    @Test
    void theFieldsOfTheTokenEndpointApplyButTheOriginIsNotTheClientsToChoose() throws Exception {
        Page p = signIn();
        HttpResponse<String> r = mint(p, "{\"ttl_seconds\":60,\"max_uses\":1,\"endpoints\":[\"messages\"]}", "origin", origin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(json(r).get("expires_in").asLong()).isEqualTo(60);
        String token = json(r).get("token").asText();
        assertThat(messages(token, origin).statusCode()).isEqualTo(200);
        assertThat(messages(token, origin).statusCode()).as("its one use is spent").isEqualTo(401);

        assertError(mint(p, "{\"origins\":[\"https://evil.example\"]}", "origin", origin), 400, "invalid_request_error");
        assertError(mint(p, "{\"ttl_seconds\":86400}", "origin", origin), 400, "invalid_request_error");
        assertError(mint(p, "{\"max_use\":3}", "origin", origin), 400, "invalid_request_error");

        HttpResponse<String> noOrigin = mint(p, "");
        assertThat(noOrigin.statusCode()).as("a client without Origin gets the gateway's own").isEqualTo(201);
        assertThat(json(noOrigin).at("/origins/0").asText()).isEqualTo(origin);
    }

    @Test
    void withoutASessionItIs401AndWithoutCsrfOrCrossSiteItIs403() throws Exception {
        assertError(new Browser().post(gw.uri("/api/tokens"), "{}", "origin", origin), 401, "authentication_error");
        Page p = signIn();
        assertError(p.browser().post(gw.uri("/api/tokens"), "{}", "origin", origin), 403, "permission_error");
        assertError(p.browser().post(gw.uri("/api/tokens"), "{}", "origin", origin, "x-csrf-token", "nope"), 403, "permission_error");
        assertError(mint(p, "{}", "origin", "https://evil.example"), 403, "permission_error");
        assertError(p.browser().get(gw.uri("/api/tokens")), 405, "invalid_request_error");
    }

    @Test
    void disablingTheUserRevokesTheirPageTokens() throws Exception {
        Page p = signIn();
        String token = json(mint(p, "{}", "origin", origin)).get("token").asText();
        assertThat(messages(token, origin).statusCode()).isEqualTo(200);
        gw.gateway.users().users().disable(p.user().id(), "test");
        HttpResponse<byte[]> refused = messages(token, origin);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(new String(refused.body())).contains("the user it was issued to was disabled or deleted");
    }
}
