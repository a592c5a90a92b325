package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.testing.CollectingSink;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.users.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static dev.keywarden.web.ByokTesting.PASSPHRASE;
import static dev.keywarden.web.ByokTesting.add;
import static dev.keywarden.web.ByokTesting.csrf;
import static dev.keywarden.web.ByokTesting.lastUpstreamKey;
import static dev.keywarden.web.ByokTesting.newUser;
import static dev.keywarden.web.ByokTesting.sessionCall;
import static dev.keywarden.web.ByokTesting.sha;
import static dev.keywarden.web.ByokTesting.signedIn;
import static dev.keywarden.web.ByokTesting.status;
import static dev.keywarden.web.ByokTesting.unlock;
import static dev.keywarden.web.WebTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bring your own key through a real gateway (vault with a local KEK, fake upstream): the three modes, the endpoints
 * under {@code /api/byok}, the per-call choice of the user's key, and upstream rejecting it.
 */
class ByokIT {

    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start(Map.of("KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "0", "KEYWARDEN_VAULT_KEK", "local",
                "KEYWARDEN_BYOK_ENABLED", "true"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static String acceptedKey() {
        String key = TestKeys.fakeProviderKey();
        gw.upstream.acceptKey(key);
        return key;
    }

    static HttpResponse<byte[]> callWithVirtualKey(String virtualKey, String text) throws Exception {
        return gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("x-api-key", virtualKey)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody(text, false))).build());
    }

    @Test
    void theNoticeIsPublicAndSaysWhatIsStoredWhereWhoCanDecryptAndHowToRevoke() throws Exception {
        HttpResponse<String> r = new Browser().get(gw.uri("/api/byok/notice"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("enabled").asBoolean()).isTrue();
        assertThat(body.get("modes").toString()).contains("server_held", "sealed", "session_only");
        assertThat(body.get("notice").asText()).contains("encrypted", "can decrypt", "passphrase", "Delete", "separate key",
                "spend limit");
        assertThat(new Browser().post(gw.uri("/api/byok/notice"), "{}").statusCode()).isEqualTo(405);
    }

    @Test
    void aServerHeldKeyServesEveryCallOfItsUserAndTheRecordSaysByok() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        String key = acceptedKey();
        HttpResponse<String> added = add(gw, b, key, "server_held", null);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(json(added).get("state").asText()).isEqualTo("active");
        assertThat(json(added).get("fingerprint").asText()).isEqualTo("sk-ant-fake-…" + key.substring(key.length() - 4));
        assertThat(added.body()).doesNotContain(key);

        // a virtual key of the user's principal: the proxy entry point, no session at all
        String virtualKey = gw.gateway.virtualKeys().create("byok-vk", u.principalId()).key();
        HttpResponse<byte[]> call = callWithVirtualKey(virtualKey, "own key please");
        assertThat(call.statusCode()).as(new String(call.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(key));
        String requestId = call.headers().firstValue("keywarden-request-id").orElseThrow();
        ExchangeRecord record = gw.awaitRecord(r -> r.requestId().equals(requestId));
        assertThat(record.byok()).isTrue();
        assertThat(record.providerKey()).isEqualTo(json(added).get("fingerprint").asText());
        assertThat(WebTesting.awaitAudit(gw.dataDir, requestId)).contains("\"byok\":true");

        // the session entry point too
        assertThat(sessionCall(gw, b, u, "from the session").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(key));

        // another user's call still goes with the operator's key, and its record says not BYOK
        HttpResponse<byte[]> other = gw.postMessages(TestGateway.messageBody("operator key", false));
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(gw.providerKey));
        String otherId = other.headers().firstValue("keywarden-request-id").orElseThrow();
        assertThat(gw.awaitRecord(r -> r.requestId().equals(otherId)).byok()).isFalse();
    }

    @Test
    void aShortLivedTokenOfTheUserIsServedWithTheirServerHeldKey() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        String key = acceptedKey();
        assertThat(add(gw, b, key, "server_held", null).statusCode()).isEqualTo(201);
        String virtualKey = gw.gateway.virtualKeys().create("token-minter", u.principalId()).key();
        HttpResponse<byte[]> minted = gw.send(HttpRequest.newBuilder(gw.uri("/v1/keywarden/tokens")).header("x-api-key", virtualKey)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"ttl_seconds\":120}")).build());
        assertThat(minted.statusCode()).as(new String(minted.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        String token = WebTesting.JSON.readTree(minted.body()).get("token").asText();
        assertThat(token).startsWith("kw_tmp_");
        HttpResponse<byte[]> call = gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("authorization", "Bearer " + token)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("with a kw_tmp_ token", false))).build());
        assertThat(call.statusCode()).as(new String(call.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(key));
    }

    @Test
    void aKeyUpstreamRefusesIsNotStoredAndAMalformedOneNeverLeaves() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        String refused = TestKeys.fakeProviderKey(); // the fake upstream does not accept it
        HttpResponse<String> r = add(gw, b, refused, "server_held", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).at("/error/message").asText()).contains("Anthropic rejected this key", "not stored");
        assertThat(r.body()).doesNotContain(refused);
        assertThat(status(gw, b).get("state").asText()).isEqualTo("none");

        int before = gw.upstream.requestCount();
        HttpResponse<String> malformed = add(gw, b, "sk-ant-short", "session_only", null);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).at("/error/type").asText()).isEqualTo("invalid_request_error");
        HttpResponse<String> notAnthropic = add(gw, b, "sk-proj-" + TestKeys.random(48), "session_only", null);
        assertThat(json(notAnthropic).at("/error/message").asText()).contains("start with sk-ant-");
        assertThat(gw.upstream.requestCount()).as("nothing was sent upstream for a malformed key").isEqualTo(before);
        assertThat(status(gw, b).get("state").asText()).isEqualTo("none");
    }

    @Test
    void aSealedKeyIsUnusableWithoutItsPassphraseAndAWrongOneLeavesItIntact() throws Exception {
        User u = newUser(gw);
        Browser first = signedIn(gw, u);
        String key = acceptedKey();
        HttpResponse<String> added = add(gw, first, key, "sealed", PASSPHRASE);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(json(added).get("state").asText()).as("unlocked for the session it was added in").isEqualTo("unlocked");
        assertThat(sessionCall(gw, first, u, "unlocked here").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(key));

        Browser second = signedIn(gw, u);
        assertThat(status(gw, second).get("state").asText()).isEqualTo("locked");
        assertThat(sessionCall(gw, second, u, "locked here").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).as("a locked key is not usable: the operator's key served").isEqualTo(sha(gw.providerKey));

        HttpResponse<String> wrong = unlock(gw, second, "not the passphrase at all");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(json(wrong).at("/error/message").asText()).contains("wrong passphrase", "unchanged");
        assertThat(status(gw, second).get("state").asText()).isEqualTo("locked");

        HttpResponse<String> right = unlock(gw, second, PASSPHRASE);
        assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
        assertThat(json(right).get("state").asText()).isEqualTo("unlocked");
        assertThat(sessionCall(gw, second, u, "unlocked now").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).as("the wrong passphrase left the key intact").isEqualTo(sha(key));

        // without a session (a virtual key of the user) a sealed key is never usable
        String virtualKey = gw.gateway.virtualKeys().create("sealed-vk", u.principalId()).key();
        assertThat(callWithVirtualKey(virtualKey, "no session").statusCode()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(gw.providerKey));
    }

    @Test
    void repeatedWrongPassphrasesAreThrottled() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        assertThat(add(gw, b, acceptedKey(), "sealed", PASSPHRASE).statusCode()).isEqualTo(201);
        for (int i = 0; i < 5; i++) {
            assertThat(unlock(gw, b, "wrong passphrase " + i).statusCode()).isEqualTo(403);
        }
        HttpResponse<String> throttled = unlock(gw, b, PASSPHRASE);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(json(throttled).at("/error/type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void aSessionOnlyKeyServesItsSessionOnlyAndIsGoneAfterSignOut() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        String key = acceptedKey();
        HttpResponse<String> added = add(gw, b, key, "session_only", null);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(json(added).get("mode").asText()).isEqualTo("session_only");
        assertThat(sessionCall(gw, b, u, "session key").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(key));

        Browser other = signedIn(gw, u);
        assertThat(status(gw, other).get("state").asText()).as("another session of the same user").isEqualTo("none");
        sessionCall(gw, other, u, "other session");
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(gw.providerKey));

        String token = b.cookies.get("kw_session");
        String sessionId = gw.gateway.users().sessions().resolve(token).orElseThrow().record().id();
        long end = gw.gateway.users().sessions().resolve(token).orElseThrow().record().expiresAt();
        HttpResponse<String> out = b.delete(gw.uri("/api/session"), "x-csrf-token", csrf(gw, b));
        assertThat(out.statusCode()).isEqualTo(200);
        // even with the session's secret, nothing is held for it any more
        assertThat(gw.gateway.byok().status(u.id(), gw.gateway.byok().session(token, sessionId, u.id(), end)).state())
                .isEqualTo("none");
    }

    @Test
    void theChatEndpointServesASessionCallWithTheKeyHeldForThatSession() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        String key = acceptedKey();
        assertThat(add(gw, b, key, "session_only", null).statusCode()).isEqualTo(201);

        HttpResponse<String> chat = b.post(gw.uri("/api/chat"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}",
                "x-csrf-token", csrf(gw, b));

        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).as("the session's own key went upstream").isEqualTo(sha(key));
        assertThat(chat.body()).doesNotContain(key);
    }

    @Test
    void anUpstreamRejectionMarksTheUsersKeyInvalidAndTellsTheUserNotTheOperator() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        String key = acceptedKey();
        assertThat(add(gw, b, key, "server_held", null).statusCode()).isEqualTo(201);
        String virtualKey = gw.gateway.virtualKeys().create("rejected-vk", u.principalId()).key();
        gw.upstream.rejectKey(key); // the user revoked it in the Anthropic Console

        HttpResponse<byte[]> rejected = callWithVirtualKey(virtualKey, "after revocation");
        String body = new String(rejected.body(), StandardCharsets.UTF_8);
        assertThat(rejected.statusCode()).as(body).isEqualTo(401);
        JsonNode error = WebTesting.JSON.readTree(body);
        assertThat(error.at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(error.at("/error/message").asText()).contains("your own API key", "marked invalid");
        assertThat(body).doesNotContain(key);
        assertThat(lastUpstreamKey(gw)).as("no retry on the operator's key").isEqualTo(sha(key));

        JsonNode st = status(gw, b);
        assertThat(st.get("state").asText()).isEqualTo("invalid");
        assertThat(st.get("message").asText()).contains("Anthropic rejected this key");

        int before = gw.upstream.requestCount();
        HttpResponse<byte[]> next = callWithVirtualKey(virtualKey, "again");
        assertThat(next.statusCode()).isEqualTo(403);
        assertThat(new String(next.body(), StandardCharsets.UTF_8)).contains("permission_error", "your own API key");
        assertThat(gw.upstream.requestCount()).isEqualTo(before);

        // the operator's key was not touched: other callers are served, no provider-key alert
        assertThat(gw.postMessages(TestGateway.messageBody("operator still fine", false)).statusCode()).isEqualTo(200);
        String audit = WebTesting.awaitAudit(gw.dataDir, "byok.key_rejected");
        assertThat(audit).contains("byok.key_rejected").doesNotContain("provider_key.compromised");

        // deleting the invalid key gives the user the operator's key back
        HttpResponse<String> deleted = b.delete(gw.uri("/api/byok"), "x-csrf-token", csrf(gw, b));
        assertThat(json(deleted).get("deleted").asBoolean()).isTrue();
        assertThat(callWithVirtualKey(virtualKey, "after delete").statusCode()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(gw.providerKey));
    }

    @Test
    void addingUnlockingAndDeletingNeedTheSessionsCsrfTokenAndASession() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        String body = "{\"key\":\"" + acceptedKey() + "\",\"mode\":\"server_held\"}";
        HttpResponse<String> noCsrf = b.post(gw.uri("/api/byok"), body);
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(json(noCsrf).at("/error/type").asText()).isEqualTo("permission_error");
        assertThat(b.post(gw.uri("/api/byok"), body, "x-csrf-token", "kw_csrf_00").statusCode()).isEqualTo(403);
        assertThat(b.post(gw.uri("/api/byok/unlock"), "{\"passphrase\":\"x\"}").statusCode()).isEqualTo(403);
        assertThat(b.delete(gw.uri("/api/byok")).statusCode()).isEqualTo(403);
        assertThat(status(gw, b).get("state").asText()).isEqualTo("none");
        assertThat(new Browser().get(gw.uri("/api/byok")).statusCode()).isEqualTo(401);
        assertThat(new Browser().post(gw.uri("/api/byok"), body).statusCode()).isEqualTo(401);
    }

    @Test
    void aModeTheOperatorDoesNotOfferOrASealedKeyWithoutAPassphraseIsRefused() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        HttpResponse<String> unknown = add(gw, b, acceptedKey(), "in_the_cloud", null);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).at("/error/message").asText()).contains("server_held", "sealed", "session_only");
        HttpResponse<String> noPassphrase = add(gw, b, acceptedKey(), "sealed", null);
        assertThat(noPassphrase.statusCode()).isEqualTo(400);
        assertThat(json(noPassphrase).at("/error/message").asText()).contains("passphrase");
        assertThat(status(gw, b).get("state").asText()).isEqualTo("none");
    }

    @Test
    void deletingRemovesTheKeyInEveryModeAndANewKeyReplacesTheOld() throws Exception {
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        String first = acceptedKey();
        String second = acceptedKey();
        assertThat(add(gw, b, first, "sealed", PASSPHRASE).statusCode()).isEqualTo(201);
        HttpResponse<String> replaced = add(gw, b, second, "session_only", null);
        assertThat(json(replaced).get("mode").asText()).isEqualTo("session_only");
        sessionCall(gw, b, u, "replaced");
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(second));
        HttpResponse<String> deleted = b.delete(gw.uri("/api/byok"), "x-csrf-token", csrf(gw, b));
        assertThat(json(deleted).get("deleted").asBoolean()).isTrue();
        assertThat(status(gw, b).get("state").asText()).isEqualTo("none");
        CollectingSink after = sessionCall(gw, b, u, "deleted");
        assertThat(after.status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(gw.providerKey));
    }
}
