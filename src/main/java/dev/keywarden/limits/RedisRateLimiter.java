package dev.keywarden.limits;

import dev.keywarden.config.TierLimits;
import dev.keywarden.state.RedisState;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.List;

/**
 * {@link RateLimiter} in Redis ({@code state: redis}): every gateway instance shares the buckets.
 * Each decision is one Lua script run (one round trip, atomic in Redis), timed by Redis's own clock
 * ({@code TIME}) so instance clocks do not matter. Keys are hash-tagged per principal
 * ({@code kw:{p:<principal>}:rl}) and per address ({@code kw:{a:<address>}:…}) so Redis Cluster
 * works; they expire when idle. Any Redis failure surfaces as {@link LimiterUnavailableException}.
 */
public final class RedisRateLimiter implements RateLimiter {

    /** Shared by acquire and settle: refills the three buckets of KEYS[1] at Redis time. */
    private static final String REFILL = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local h = redis.call('HMGET', KEYS[1], 'rq', 'it', 'ot', 'ts', 'cc')
            local rpm, itpm, otpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
            local ts = tonumber(h[4]) or now
            local elapsed = math.max(0, now - ts)
            local function refill(v, cap)
              if cap == 0 then return 0 end
              local lvl = tonumber(v)
              if lvl == nil then return cap end
              return math.min(cap, lvl + elapsed * cap / 60000)
            end
            local rq, it, ot = refill(h[1], rpm), refill(h[2], itpm), refill(h[3], otpm)
            local cc = tonumber(h[5]) or 0
            local function untilMs(amount, cap)
              if cap == 0 or amount <= 0 then return 0 end
              return math.ceil(amount * 60000 / cap)
            end
            local function save()
              redis.call('HSET', KEYS[1], 'rq', string.format('%.6f', rq), 'it', string.format('%.6f', it),
                'ot', string.format('%.6f', ot), 'ts', now, 'cc', cc)
              redis.call('PEXPIRE', KEYS[1], 900000)
            end
            """;

    private static final String ACQUIRE = REFILL + """
            local limited, retry = '', 0
            if rpm > 0 and rq < 1 then limited = 'requests'; retry = math.max(retry, untilMs(1 - rq, rpm)) end
            if itpm > 0 and it <= 0 then if limited == '' then limited = 'input-tokens' end; retry = math.max(retry, untilMs(1 - it, itpm)) end
            if otpm > 0 and ot <= 0 then if limited == '' then limited = 'output-tokens' end; retry = math.max(retry, untilMs(1 - ot, otpm)) end
            if conc > 0 and cc >= conc then if limited == '' then limited = 'concurrency' end; retry = math.max(retry, 1000) end
            local admitted = 0
            if limited == '' then
              admitted = 1
              if rpm > 0 then rq = rq - 1 end
              if itpm > 0 then it = it - tonumber(ARGV[5]) end
              if otpm > 0 then ot = ot - tonumber(ARGV[6]) end
              cc = cc + 1
            end
            save()
            return {admitted, limited, retry, math.max(0, math.floor(rq)), math.max(0, math.floor(it)), math.max(0, math.floor(ot)),
              untilMs(rpm - rq, rpm), untilMs(itpm - it, itpm), untilMs(otpm - ot, otpm)}
            """;

    private static final String SETTLE = REFILL + """
            if itpm > 0 then it = math.min(itpm, it + tonumber(ARGV[5])) end
            if otpm > 0 then ot = math.min(otpm, ot + tonumber(ARGV[6])) end
            cc = math.max(0, cc - 1)
            save()
            return cc
            """;

    private static final String AUTH_FAILED = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], 60000) end
            if n >= tonumber(ARGV[1]) then
              redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
              redis.call('DEL', KEYS[1])
            end
            return n
            """;

    private final RedisState redis;
    private final String acquireSha;
    private final String settleSha;
    private final String authSha;

    public RedisRateLimiter(RedisState redis) {
        this.redis = redis;
        RedisCommands<String, String> c = redis.connection().sync();
        this.acquireSha = c.digest(ACQUIRE);
        this.settleSha = c.digest(SETTLE);
        this.authSha = c.digest(AUTH_FAILED);
    }

    static String subjectKey(String subject) {
        return "kw:{p:" + subject + "}:rl";
    }

    @Override
    public Decision acquire(String subject, TierLimits limits, long inputEstimate, long outputEstimate) {
        List<Object> r = run(acquireSha, ACQUIRE, "check rate limits", new String[]{subjectKey(subject)}, args(limits, inputEstimate, outputEstimate));
        boolean admitted = ((Long) r.get(0)) == 1L;
        String limitedBy = r.get(1) == null || r.get(1).toString().isEmpty() ? null : r.get(1).toString();
        return new Decision(admitted, limitedBy, admitted ? 0 : (Long) r.get(2), (Long) r.get(3), (Long) r.get(4), (Long) r.get(5),
                (Long) r.get(6), (Long) r.get(7), (Long) r.get(8), false);
    }

    @Override
    public void settle(String subject, TierLimits limits, Decision admitted, long inputRefund, long outputRefund) {
        run(settleSha, SETTLE, "settle rate-limit tokens", new String[]{subjectKey(subject)}, args(limits, inputRefund, outputRefund));
    }

    @Override
    public long lockedOutMillis(String address) {
        try {
            long ttl = redis.connection().sync().pttl("kw:{a:" + address + "}:lock");
            return Math.max(0, ttl);
        } catch (RuntimeException e) {
            throw new LimiterUnavailableException("cannot check the address lockout in Redis (" + redis.url() + "): "
                    + e.getClass().getSimpleName(), null);
        }
    }

    @Override
    public void authFailed(String address, int threshold, long lockoutMillis) {
        run(authSha, AUTH_FAILED, "count a failed authentication",
                new String[]{"kw:{a:" + address + "}:fails", "kw:{a:" + address + "}:lock"},
                new String[]{Integer.toString(threshold), Long.toString(lockoutMillis)});
    }

    private static String[] args(TierLimits l, long a, long b) {
        return new String[]{Long.toString(l.requestsPerMinute()), Long.toString(l.inputTokensPerMinute()),
                Long.toString(l.outputTokensPerMinute()), Integer.toString(l.concurrentRequests()), Long.toString(a), Long.toString(b)};
    }

    @SuppressWarnings("unchecked")
    private <T> T run(String sha, String script, String what, String[] keys, String[] argv) {
        try {
            RedisCommands<String, String> c = redis.connection().sync();
            ScriptOutputType type = script == SETTLE || script == AUTH_FAILED ? ScriptOutputType.INTEGER : ScriptOutputType.MULTI;
            try {
                return (T) c.evalsha(sha, type, keys, argv);
            } catch (RedisNoScriptException missing) {
                return (T) c.eval(script, type, keys, argv);
            }
        } catch (RuntimeException e) {
            throw new LimiterUnavailableException("cannot " + what + " in Redis (" + redis.url() + "): " + e.getClass().getSimpleName(), null);
        }
    }
}
