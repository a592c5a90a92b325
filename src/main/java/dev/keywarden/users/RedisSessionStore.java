package dev.keywarden.users;

import dev.keywarden.state.RedisState;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions and OIDC sign-ins in progress in Redis ({@code state: redis}), so every gateway instance serves every
 * session and a sign-out or revocation is seen by all of them on their next request. Each session is a hash that
 * expires at the session's absolute end; a sign-in in progress is a string taken with {@code GETDEL} (one caller
 * wins). Values hold hashes and ids, never the session id the browser holds.
 *
 * <p>Keys: {@code kw:ses:<token hash>} (the session), {@code kw:ses-id:<id>} (public id → token hash),
 * {@code kw:ses-user:<user id>} (the user's token hashes), {@code kw:oidc:<state hash>}.
 */
public final class RedisSessionStore implements SessionStore {

    private static final String TOUCH = """
            if redis.call('EXISTS', KEYS[1]) == 1 then
              redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1])
              return 1
            end
            return 0
            """;

    private final RedisState redis;

    public RedisSessionStore(RedisState redis) {
        this.redis = redis;
    }

    private RedisCommands<String, String> sync() {
        return redis.connection().sync();
    }

    static String sessionKey(String tokenHash) {
        return "kw:ses:" + tokenHash;
    }

    private static String idKey(String id) {
        return "kw:ses-id:" + id;
    }

    private static String userKey(String userId) {
        return "kw:ses-user:" + userId;
    }

    @Override
    public void insert(SessionRecord s) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", s.id());
        fields.put("user_id", s.userId());
        fields.put("method", s.method());
        fields.put("created_at", Long.toString(s.createdAt()));
        fields.put("last_seen_at", Long.toString(s.lastSeenAt()));
        fields.put("expires_at", Long.toString(s.expiresAt()));
        if (s.clientAddress() != null) {
            fields.put("client_address", s.clientAddress());
        }
        RedisCommands<String, String> c = sync();
        c.hset(sessionKey(s.tokenHash()), fields);
        c.pexpireat(sessionKey(s.tokenHash()), s.expiresAt());
        c.set(idKey(s.id()), s.tokenHash(), SetArgs.Builder.pxAt(s.expiresAt()));
        c.sadd(userKey(s.userId()), s.tokenHash());
    }

    @Override
    public Optional<SessionRecord> findByTokenHash(String tokenHash) {
        Map<String, String> f = sync().hgetall(sessionKey(tokenHash));
        if (f == null || !f.containsKey("id") || !f.containsKey("user_id") || !f.containsKey("expires_at")) {
            return Optional.empty();
        }
        return Optional.of(new SessionRecord(f.get("id"), tokenHash, f.get("user_id"), f.getOrDefault("method", "password"),
                Long.parseLong(f.getOrDefault("created_at", "0")), Long.parseLong(f.getOrDefault("last_seen_at", "0")),
                Long.parseLong(f.get("expires_at")), f.get("client_address")));
    }

    @Override
    public void touch(SessionRecord s, long now) {
        sync().eval(TOUCH, ScriptOutputType.INTEGER, new String[]{sessionKey(s.tokenHash())}, Long.toString(now));
    }

    @Override
    public boolean deleteByTokenHash(String tokenHash) {
        Optional<SessionRecord> s = findByTokenHash(tokenHash);
        long deleted = sync().del(sessionKey(tokenHash));
        s.ifPresent(r -> {
            sync().del(idKey(r.id()));
            sync().srem(userKey(r.userId()), tokenHash);
        });
        return deleted > 0;
    }

    @Override
    public Optional<SessionRecord> deleteById(String id) {
        String tokenHash = sync().get(idKey(id));
        if (tokenHash == null) {
            return Optional.empty();
        }
        Optional<SessionRecord> s = findByTokenHash(tokenHash);
        return deleteByTokenHash(tokenHash) ? s : Optional.empty();
    }

    @Override
    public int deleteByUser(String userId) {
        int n = 0;
        for (String tokenHash : sync().smembers(userKey(userId))) {
            if (deleteByTokenHash(tokenHash)) {
                n++;
            }
        }
        sync().del(userKey(userId));
        return n;
    }

    @Override
    public List<SessionRecord> listByUser(String userId) {
        List<SessionRecord> out = new ArrayList<>();
        for (String tokenHash : sync().smembers(userKey(userId))) {
            Optional<SessionRecord> s = findByTokenHash(tokenHash);
            if (s.isPresent()) {
                out.add(s.get());
            } else {
                sync().srem(userKey(userId), tokenHash);
            }
        }
        out.sort(java.util.Comparator.comparingLong(SessionRecord::createdAt));
        return out;
    }

    @Override
    public void sweep(long now) {
        // sessions and sign-ins expire by themselves (PEXPIREAT / PX)
    }

    @Override
    public void putPendingLogin(PendingLogin p) {
        String value = String.join("\n", p.nonce(), p.codeVerifier(), p.returnTo(), Long.toString(p.expiresAt()));
        sync().set("kw:oidc:" + p.stateHash(), value, SetArgs.Builder.pxAt(p.expiresAt()));
    }

    @Override
    public Optional<PendingLogin> takePendingLogin(String stateHash) {
        String value = sync().getdel("kw:oidc:" + stateHash);
        if (value == null) {
            return Optional.empty();
        }
        String[] parts = value.split("\n", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        return Optional.of(new PendingLogin(stateHash, parts[0], parts[1], parts[2], Long.parseLong(parts[3])));
    }
}
