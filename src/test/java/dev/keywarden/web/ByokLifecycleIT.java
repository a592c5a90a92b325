package dev.keywarden.web;

import dev.keywarden.config.ConfigException;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.users.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static dev.keywarden.web.ByokTesting.PASSPHRASE;
import static dev.keywarden.web.ByokTesting.add;
import static dev.keywarden.web.ByokTesting.lastUpstreamKey;
import static dev.keywarden.web.ByokTesting.newUser;
import static dev.keywarden.web.ByokTesting.sessionCall;
import static dev.keywarden.web.ByokTesting.sha;
import static dev.keywarden.web.ByokTesting.signedIn;
import static dev.keywarden.web.ByokTesting.status;
import static dev.keywarden.web.ByokTesting.unlock;
import static dev.keywarden.web.WebTesting.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** BYOK across a restart, the operator's policy (modes, tiers, budgets) and its start-up check. */
class ByokLifecycleIT {

    static final Map<String, String> NO_VAULT = Map.of("KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "0",
            "KEYWARDEN_BYOK_ENABLED", "true", "KEYWARDEN_BYOK_MODES", "sealed,session_only");
    TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void aSessionOnlyKeyIsGoneAfterARestartWhileASealedKeyStaysSealed() throws Exception {
        gw = TestGateway.start(NO_VAULT);
        User holder = newUser(gw);
        User sealer = newUser(gw);
        Browser b = signedIn(gw, holder);
        Browser s = signedIn(gw, sealer);
        String sessionKey = TestKeys.fakeProviderKey();
        String sealedKey = TestKeys.fakeProviderKey();
        gw.upstream.acceptKey(sessionKey);
        gw.upstream.acceptKey(sealedKey);
        assertThat(add(gw, b, sessionKey, "session_only", null).statusCode()).isEqualTo(201);
        assertThat(add(gw, s, sealedKey, "sealed", PASSPHRASE).statusCode()).isEqualTo(201);
        assertThat(status(gw, b).get("state").asText()).isEqualTo("active");
        assertThat(status(gw, s).get("state").asText()).isEqualTo("unlocked");

        gw.close();
        TestGateway restarted = TestGateway.startIn(gw.dataDir, NO_VAULT);
        gw = restarted;
        gw.upstream.acceptKey(sealedKey);
        // the sessions themselves survive (they are in the database); the keys held for them do not
        assertThat(b.get(gw.uri("/api/session")).statusCode()).isEqualTo(200);
        assertThat(status(gw, b).get("state").asText()).isEqualTo("none");
        assertThat(sessionCall(gw, b, holder, "after restart").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(gw.providerKey));

        assertThat(status(gw, s).get("state").asText()).isEqualTo("locked");
        assertThat(unlock(gw, s, PASSPHRASE).statusCode()).isEqualTo(200);
        assertThat(sessionCall(gw, s, sealer, "sealed after restart").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(sealedKey));
    }

    @Test
    void aModeTheOperatorLeftOutIsRefused() throws Exception {
        gw = TestGateway.start(NO_VAULT);
        Browser b = signedIn(gw, newUser(gw));
        String key = TestKeys.fakeProviderKey();
        gw.upstream.acceptKey(key);
        HttpResponse<String> r = add(gw, b, key, "server_held", null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).at("/error/message").asText()).isEqualTo("\"mode\" must be one of sealed, session_only on this gateway");
        assertThat(json(new Browser().get(gw.uri("/api/byok/notice"))).get("modes").toString())
                .isEqualTo("[\"sealed\",\"session_only\"]");
    }

    @Test
    void aTierOutsideByokTiersMayNotBringAKeyAndItsCallsUseTheOperatorsKey() throws Exception {
        gw = TestGateway.start(Map.of("KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "0", "KEYWARDEN_BYOK_ENABLED", "true",
                "KEYWARDEN_BYOK_MODES", "session_only", "KEYWARDEN_BYOK_TIERS", "pro"));
        User u = newUser(gw); // on the default tier, free
        Browser b = signedIn(gw, u);
        String key = TestKeys.fakeProviderKey();
        gw.upstream.acceptKey(key);
        HttpResponse<String> r = add(gw, b, key, "session_only", null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).at("/error/message").asText()).contains("tier (free)", "byok.tiers");

        gw.gateway.users().users().principals().setTier(u.principalId(), "pro");
        assertThat(add(gw, b, key, "session_only", null).statusCode()).isEqualTo(201);
        assertThat(sessionCall(gw, b, u, "pro now").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(key));
    }

    @Test
    void byokCallsSkipTheTierBudgetUnlessTheyCountTowardIt() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "0",
                "KEYWARDEN_BYOK_ENABLED", "true", "KEYWARDEN_BYOK_MODES", "session_only",
                "KEYWARDEN_TIERS_FREE_DAILY_BUDGET_USD", "0.000001"));
        gw = TestGateway.start(env);
        User u = newUser(gw);
        Browser b = signedIn(gw, u);
        // the first call spends the tiny budget with the operator's key; the next is refused 402
        sessionCall(gw, b, u, "spend it");
        assertThat(sessionCall(gw, b, u, "over budget").status()).isEqualTo(402);
        String key = TestKeys.fakeProviderKey();
        gw.upstream.acceptKey(key);
        assertThat(add(gw, b, key, "session_only", null).statusCode()).isEqualTo(201);
        assertThat(sessionCall(gw, b, u, "own key, own money").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(gw)).isEqualTo(sha(key));
        gw.close();

        env.put("KEYWARDEN_BYOK_COUNT_TOWARD_BUDGET", "true");
        gw = TestGateway.start(env);
        User v = newUser(gw);
        Browser c = signedIn(gw, v);
        String own = TestKeys.fakeProviderKey();
        gw.upstream.acceptKey(own);
        assertThat(add(gw, c, own, "session_only", null).statusCode()).isEqualTo(201);
        sessionCall(gw, c, v, "spend it with my key");
        assertThat(sessionCall(gw, c, v, "counted").status()).isEqualTo(402);
    }

    @Test
    void offeringServerHeldKeysWithoutTheVaultStopsStartUpWithOneLine() {
        assertThatThrownBy(() -> gw = TestGateway.start(Map.of("KEYWARDEN_BYOK_ENABLED", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("byok.modes: server_held keeps users' keys under the vault's key-encryption key, but the vault is"
                        + " off; set vault.kek (docs/vault.md) or leave server_held out of byok.modes");
    }
}
