package dev.keywarden.web;

import dev.keywarden.state.RedisState;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.users.User;
import dev.keywarden.vault.crypto.UserKeyCrypto;
import dev.keywarden.vault.crypto.VaultException;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.keywarden.web.ByokTesting.PASSPHRASE;
import static dev.keywarden.web.ByokTesting.add;
import static dev.keywarden.web.ByokTesting.csrf;
import static dev.keywarden.web.ByokTesting.lastUpstreamKey;
import static dev.keywarden.web.ByokTesting.newUser;
import static dev.keywarden.web.ByokTesting.sessionCall;
import static dev.keywarden.web.ByokTesting.sha;
import static dev.keywarden.web.ByokTesting.signedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Shared mode (PostgreSQL + Redis, two gateway instances): a key held for a session is usable from any instance, and
 * Redis holds it only encrypted under a key derived from the session secret the browser holds — Redis (with the
 * database) alone opens nothing, and sign-out on another instance removes it.
 */
class ByokSharedIT {

    TestDatabases postgres;
    TestGateway first;
    TestGateway second;
    RedisState redis;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[]{second, first, redis, postgres}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @Test
    void aSessionsKeyServesEveryInstanceAndRedisHoldsItOnlyEncryptedUnderTheBrowsersSessionSecret() throws Exception {
        Services.assumeRedis();
        postgres = TestDatabases.start(Dialect.POSTGRESQL);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARDEN_STORE", "postgres");
        env.put("KEYWARDEN_POSTGRES_URL", postgres.postgresUrl());
        env.put("KEYWARDEN_POSTGRES_USER", Services.postgresUser());
        env.put("KEYWARDEN_POSTGRES_POOL_SIZE", "4");
        env.put("KEYWARDEN_SERVER_SECRET", Base64.getEncoder().encodeToString(secret));
        env.put("KEYWARDEN_STATE", "redis");
        env.put("KEYWARDEN_REDIS_URL", Services.redisUrl().toString());
        env.put("KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "0");
        env.put("KEYWARDEN_BYOK_ENABLED", "true");
        env.put("KEYWARDEN_BYOK_MODES", "sealed,session_only");
        first = TestGateway.start(env);
        second = TestGateway.start(env);
        redis = RedisState.connect(Services.redisUrl(), Optional.empty(), RedisState.CONNECT_TIMEOUT, RedisState.COMMAND_TIMEOUT);

        String sessionOnly = TestKeys.canaryProviderKey();
        String sealed = TestKeys.canaryProviderKey();
        for (TestGateway gw : List.of(first, second)) {
            gw.upstream.acceptKey(sessionOnly);
            gw.upstream.acceptKey(sealed);
        }
        User holder = newUser(first);
        User sealer = newUser(first);
        Browser h = signedIn(first, holder);
        Browser s = signedIn(first, sealer);
        assertThat(add(first, h, sessionOnly, "session_only", null).statusCode()).isEqualTo(201);
        assertThat(add(first, s, sealed, "sealed", PASSPHRASE).statusCode()).isEqualTo(201);

        // the other instance serves both sessions with their users' keys
        assertThat(sessionCall(second, h, holder, "on the second instance").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(second)).isEqualTo(sha(sessionOnly));
        assertThat(sessionCall(second, s, sealer, "sealed on the second instance").status()).isEqualTo(200);
        assertThat(lastUpstreamKey(second)).isEqualTo(sha(sealed));

        RedisCommands<String, String> r = redis.connection().sync();
        String token = h.cookies.get("kw_session");
        String sessionId = first.gateway.users().sessions().resolve(token).orElseThrow().record().id();
        Map<String, String> held = r.hgetall("kw:byok:" + sessionId);
        assertThat(held).containsKeys("ciphertext", "key_id").containsEntry("mode", "session_only");
        List<String> redisValues = new ArrayList<>();
        for (String key : r.keys("kw:*")) {
            switch (r.type(key)) {
                case "string" -> redisValues.add(key + "=" + r.get(key));
                case "hash" -> redisValues.add(key + "=" + r.hgetall(key));
                case "set" -> redisValues.add(key + "=" + r.smembers(key));
                default -> redisValues.add(key);
            }
        }
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("redis", String.join("\n", redisValues));
        List<String> forms = new ArrayList<>(ByokCanaryIT.forms(sessionOnly));
        forms.addAll(ByokCanaryIT.forms(sealed));
        forms.add(PASSPHRASE);
        ByokCanaryIT.assertAbsent("Redis values", texts, forms);
        assertThat(String.join("\n", redisValues)).as("the session secret itself is not in Redis").doesNotContain(token);

        // what Redis has about the session (its keyed hash) does not open the value; the browser's secret does
        byte[] ciphertext = Base64.getDecoder().decode(held.get("ciphertext"));
        String[] aad = {holder.id(), sessionId, held.get("key_id")};
        for (String key : r.keys("kw:ses:*")) {
            if (sessionId.equals(r.hget(key, "id"))) {
                byte[] fromRedis = UserKeyCrypto.derivedKey(key.substring("kw:ses:".length()).getBytes(StandardCharsets.UTF_8),
                        "keywarden/byok-session/v1");
                assertThatThrownBy(() -> UserKeyCrypto.open(fromRedis, ciphertext, "keywarden/byok-session", aad))
                        .isInstanceOf(VaultException.class);
            }
        }
        byte[] fromBrowser = UserKeyCrypto.derivedKey(token.getBytes(StandardCharsets.UTF_8), "keywarden/byok-session/v1");
        assertThat(new String(UserKeyCrypto.open(fromBrowser, ciphertext, "keywarden/byok-session", aad), StandardCharsets.UTF_8))
                .isEqualTo(sessionOnly);

        // sign-out on the second instance: the held key is gone from Redis at once
        assertThat(h.delete(second.uri("/api/session"), "x-csrf-token", csrf(second, h)).statusCode()).isEqualTo(200);
        assertThat(r.exists("kw:byok:" + sessionId)).isZero();
    }
}
