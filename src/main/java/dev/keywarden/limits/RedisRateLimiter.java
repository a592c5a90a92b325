package dev.keywarden.limits;

import dev.keywarden.config.TierLimits;
import dev.keywarden.state.RedisState;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@link RateLimiter} in Redis ({@code state: redis}): every gateway instance shares the buckets.
 * Each decision is one Lua script run (one round trip, atomic in Redis), timed by Redis's own clock
 * ({@code TIME}) so instance clocks do not matter. Keys are hash-tagged per principal
 * ({@code kw:{p:<principal>}:rl}) and per address ({@code kw:{a:<address>}:failures|lock}) so Redis
 * Cluster works; they expire when idle. Any Redis failure surfaces as {@link LimiterUnavailableException}.
 * Passes the same contract test as {@link LocalRateLimiter} ({@code RateLimiterContract}).
 */
public final class RedisRateLimiter implements RateLimiter {

    /** The time of a decision: ARGV[n] when the limiter runs on a given clock (tests), else Redis's own clock. */
    private static final String NOW = """
            local function clock(arg)
              if arg ~= nil and arg ~= '' then return tonumber(arg) end
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            """;

    /** Shared by acquire and settle: refills the three buckets of KEYS[1] at the decision's time (ARGV[7]). */
    private static final String REFILL = NOW + """
            local now = clock(ARGV[7])
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
              redis.call('HSET', KEYS[1], 'rq', string.format('%.17g', rq), 'it', string.format('%.17g', it),
                'ot', string.format('%.17g', ot), 'ts', now, 'cc', cc)
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

    /**
     * KEYS: failures (hash: window start, count), lock (locked-until in ms). ARGV: threshold, lockout ms, now.
     * The threshold-th failure within a minute of the window's first one sets the lock.
     */
    private static final String AUTH_FAILED = NOW + """
            local now = clock(ARGV[3])
            local h = redis.call('HMGET', KEYS[1], 'start', 'n')
            local start, n = tonumber(h[1]), tonumber(h[2]) or 0
            if start == nil or now - start >= 60000 then start = now; n = 0 end
            n = n + 1
            if n >= tonumber(ARGV[1]) then
              redis.call('SET', KEYS[2], tostring(now + tonumber(ARGV[2])), 'PX', ARGV[2])
              redis.call('DEL', KEYS[1])
            else
              redis.call('HSET', KEYS[1], 'start', start, 'n', n)
              redis.call('PEXPIRE', KEYS[1], 60000)
            end
            return n
            """;

    /** KEYS: lock. ARGV: now. Milliseconds the lock still holds (a lock from an older version holds the value 1: its TTL). */
    private static final String LOCKED_OUT = NOW + """
            local v = redis.call('GET', KEYS[1])
            if not v then return 0 end
            local lockedUntil = tonumber(v)
            if lockedUntil == nil or lockedUntil < 1000000000000 then return math.max(0, redis.call('PTTL', KEYS[1])) end
            return math.max(0, lockedUntil - clock(ARGV[1]))
            """;

    /** The key prefix in production; tests give each run a prefix of its own. */
    static final String DEFAULT_PREFIX = "kw:";

    private final RedisState redis;
    private final String prefix;
    private final LongSupplier clock;

    /** A limiter on Redis's own clock with the production keys ({@code kw:…}). */
    public RedisRateLimiter(RedisState redis) {
        this(redis, DEFAULT_PREFIX, null);
    }

    /**
     * A limiter whose keys start with {@code prefix}, deciding at {@code clockMillis} instead of Redis's
     * {@code TIME} when one is given (tests: a fake clock shared with the local limiter's contract test).
     */
    RedisRateLimiter(RedisState redis, String prefix, LongSupplier clockMillis) {
        this.redis = redis;
        this.prefix = prefix;
        this.clock = clockMillis;
    }

    /** The production key of {@code subject}'s buckets. */
    static String subjectKey(String subject) {
        return DEFAULT_PREFIX + "{p:" + subject + "}:rl";
    }

    private String bucketsKey(String subject) {
        return prefix + "{p:" + subject + "}:rl";
    }

    private String addressKey(String address, String what) {
        return prefix + "{a:" + address + "}:" + what;
    }

    @Override
    public Decision acquire(String subject, TierLimits limits, long inputEstimate, long outputEstimate) {
        List<Object> r = run(ACQUIRE, "check rate limits", new String[]{bucketsKey(subject)}, args(limits, inputEstimate, outputEstimate));
        Decision.Remaining remaining = new Decision.Remaining((Long) r.get(3), (Long) r.get(4), (Long) r.get(5),
                (Long) r.get(6), (Long) r.get(7), (Long) r.get(8));
        if ((Long) r.get(0) == 1L) {
            return Decision.admitted(remaining);
        }
        return Decision.refused(Decision.Quota.ofWireName(r.get(1).toString()), (Long) r.get(2), remaining);
    }

    @Override
    public void settle(String subject, TierLimits limits, Decision admitted, long inputRefund, long outputRefund) {
        run(SETTLE, "settle rate-limit tokens", new String[]{bucketsKey(subject)}, args(limits, inputRefund, outputRefund));
    }

    @Override
    public long lockedOutMillis(String address) {
        Long millis = run(LOCKED_OUT, "check the address lockout", new String[]{addressKey(address, "lock")}, new String[]{now()});
        return millis;
    }

    @Override
    public void authFailed(String address, int threshold, long lockoutMillis) {
        run(AUTH_FAILED, "count a failed authentication",
                new String[]{addressKey(address, "failures"), addressKey(address, "lock")},
                new String[]{Integer.toString(threshold), Long.toString(lockoutMillis), now()});
    }

    private String now() {
        return clock == null ? "" : Long.toString(clock.getAsLong());
    }

    private String[] args(TierLimits l, long a, long b) {
        return new String[]{Long.toString(l.requestsPerMinute()), Long.toString(l.inputTokensPerMinute()),
                Long.toString(l.outputTokensPerMinute()), Integer.toString(l.concurrentRequests()), Long.toString(a), Long.toString(b),
                now()};
    }

    private static final Map<String, String> SHAS = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    private <T> T run(String script, String what, String[] keys, String[] argv) {
        try {
            RedisCommands<String, String> c = redis.connection().sync();
            ScriptOutputType type = script == ACQUIRE ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER;
            String sha = SHAS.computeIfAbsent(script, c::digest);
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
