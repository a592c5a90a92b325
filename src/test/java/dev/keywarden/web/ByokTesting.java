package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.auth.Principal;
import dev.keywarden.byok.ByokSession;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.Pipeline;
import dev.keywarden.pipeline.Route;
import dev.keywarden.testing.CollectingSink;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.RecordedExchange;
import dev.keywarden.users.Role;
import dev.keywarden.users.SessionService;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;
import org.eclipse.jetty.http.HttpFields;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Users, sessions and calls for the BYOK tests: the browser side through HTTP, a session's call through the pipeline. */
final class ByokTesting {

    static final String PASSWORD = "violet tractor anthem";
    static final String PASSPHRASE = "correct horse battery staple";
    private static final AtomicInteger N = new AtomicInteger();

    private ByokTesting() {
    }

    static User newUser(TestGateway gw) {
        return gw.gateway.users().users().add(new UserService.NewUser("byok" + N.incrementAndGet() + "-" + System.nanoTime(),
                "User", Role.USER, null, null, null), PASSWORD.toCharArray(), "test");
    }

    static Browser signedIn(TestGateway gw, User u) throws Exception {
        Browser b = new Browser();
        HttpResponse<String> r = b.post(gw.uri("/api/session"), Browser.signInBody(u.username(), PASSWORD));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return b;
    }

    static String csrf(TestGateway gw, Browser b) throws Exception {
        return WebTesting.json(b.get(gw.uri("/api/session"))).get("csrf_token").asText();
    }

    static HttpResponse<String> add(TestGateway gw, Browser b, String key, String mode, String passphrase) throws Exception {
        String body = "{\"key\":\"" + key + "\",\"mode\":\"" + mode + "\""
                + (passphrase == null ? "" : ",\"passphrase\":\"" + passphrase + "\"") + "}";
        return b.post(gw.uri("/api/byok"), body, "x-csrf-token", csrf(gw, b));
    }

    static HttpResponse<String> unlock(TestGateway gw, Browser b, String passphrase) throws Exception {
        return b.post(gw.uri("/api/byok/unlock"), "{\"passphrase\":\"" + passphrase + "\"}", "x-csrf-token", csrf(gw, b));
    }

    static JsonNode status(TestGateway gw, Browser b) throws Exception {
        HttpResponse<String> r = b.get(gw.uri("/api/byok"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return WebTesting.json(r);
    }

    /**
     * A {@code POST /v1/messages} of the browser's session, as a session entry point (the chat endpoint) hands it to the
     * pipeline: the session's identity, with the session's BYOK view attached.
     */
    static CollectingSink sessionCall(TestGateway gw, Browser b, User u, String text) throws Exception {
        String token = b.cookies.get("kw_session");
        SessionService.ActiveSession s = gw.gateway.users().sessions().resolve(token).orElseThrow();
        Principal p = gw.gateway.users().users().principals().current(u.principalId()).orElseThrow();
        ClientIdentity id = new ClientIdentity("session", s.record().id(), "session:" + u.username(), u.username(), p.id(),
                p.name(), p.kind().wireName(), p.tier());
        ByokSession byok = gw.gateway.byok().session(token, s.record().id(), u.id(), s.record().expiresAt());
        CollectingSink sink = new CollectingSink();
        HttpFields headers = HttpFields.build().put("anthropic-version", "2023-06-01").put("content-type", "application/json")
                .asImmutable();
        gw.gateway.pipeline().run(new Pipeline.Call(Route.MESSAGES, "POST", "/v1/messages", null, headers, "127.0.0.1", id, null,
                TestGateway.messageBody(text, false).getBytes(StandardCharsets.UTF_8)), sink, x -> x.attach(ByokSession.class, byok));
        sink.ended.get(20, TimeUnit.SECONDS);
        return sink;
    }

    /** The SHA-256 fingerprint of the key upstream saw on the last {@code /v1/messages} call. */
    static String lastUpstreamKey(TestGateway gw) {
        List<RecordedExchange> calls = gw.upstream.exchanges().stream().filter(e -> e.path().equals("/v1/messages")).toList();
        assertThat(calls).isNotEmpty();
        return calls.get(calls.size() - 1).apiKeySha256();
    }

    static String sha(String key) {
        return FakeUpstream.fingerprintOf(key);
    }
}
