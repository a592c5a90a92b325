package dev.keywarden.byok;

import dev.keywarden.state.RedisState;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keys held for sessions in Redis ({@code state: redis}), so any instance serves the session. Each is a hash that
 * expires after the idle timeout (extended on use, never past the session's end). The value holds the key only
 * encrypted under a key derived from the session's secret, which neither Redis nor the database has.
 *
 * <p>Keys: {@code kw:byok:<session id>} (the held key), {@code kw:byok-user:<user id>} (the user's session ids).
 */
final class RedisHeldKeys implements HeldKeys {

    private final RedisState redis;
    private final Clock clock;

    RedisHeldKeys(RedisState redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    private RedisCommands<String, String> sync() {
        return redis.connection().sync();
    }

    static String key(String sessionId) {
        return "kw:byok:" + sessionId;
    }

    static String userKey(String userId) {
        return "kw:byok-user:" + userId;
    }

    @Override
    public void put(String sessionId, HeldKey key, long idleMillis, long endsAt) {
        long ttl = Math.min(idleMillis, endsAt - clock.millis());
        if (ttl <= 0) {
            return;
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("user_id", key.userId());
        f.put("principal_id", key.principalId());
        f.put("key_id", key.keyId());
        f.put("mode", key.mode().wireName());
        f.put("fingerprint", key.fingerprint());
        f.put("state", key.invalid() ? "invalid" : "active");
        f.put("ciphertext", Base64.getEncoder().encodeToString(key.ciphertext()));
        f.put("idle_ms", Long.toString(idleMillis));
        f.put("ends_at", Long.toString(endsAt));
        RedisCommands<String, String> r = sync();
        r.del(key(sessionId));
        r.hset(key(sessionId), f);
        r.pexpire(key(sessionId), ttl);
        r.sadd(userKey(key.userId()), sessionId);
        r.pexpire(userKey(key.userId()), Math.max(ttl, r.pttl(userKey(key.userId()))));
    }

    @Override
    public Optional<HeldKey> get(String sessionId) {
        RedisCommands<String, String> r = sync();
        Map<String, String> f = r.hgetall(key(sessionId));
        if (f == null || f.isEmpty() || f.get("ciphertext") == null) {
            return Optional.empty();
        }
        long ttl = Math.min(Long.parseLong(f.get("idle_ms")), Long.parseLong(f.get("ends_at")) - clock.millis());
        if (ttl <= 0) {
            r.del(key(sessionId));
            return Optional.empty();
        }
        r.pexpire(key(sessionId), ttl);
        ByokMode mode = ByokMode.parse(f.get("mode")).orElse(ByokMode.SESSION_ONLY);
        return Optional.of(new HeldKey(f.get("user_id"), f.get("principal_id"), f.get("key_id"), mode, f.get("fingerprint"),
                "invalid".equals(f.get("state")), Base64.getDecoder().decode(f.get("ciphertext"))));
    }

    @Override
    public void markInvalid(String sessionId, String keyId) {
        RedisCommands<String, String> r = sync();
        if (keyId.equals(r.hget(key(sessionId), "key_id"))) {
            r.hset(key(sessionId), "state", "invalid");
        }
    }

    @Override
    public void remove(String sessionId) {
        sync().del(key(sessionId));
    }

    @Override
    public boolean removeUser(String userId) {
        RedisCommands<String, String> r = sync();
        long removed = 0;
        for (String sessionId : r.smembers(userKey(userId))) {
            removed += r.del(key(sessionId));
        }
        r.del(userKey(userId));
        return removed > 0;
    }
}
