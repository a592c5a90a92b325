package dev.keywarden.limits.budget;

import dev.keywarden.state.RedisState;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SpendLedger} in Redis ({@code state: redis}): every instance counts against the same counters.
 * A check is one Lua script (reads every counter of the call, sets the first-refusal marker); an add is one
 * Lua script (adds to every counter with {@code INCRBY}, sets soft-alert markers with {@code SET NX}, and
 * runs at most once per request id, so a repeated add never charges twice). Counters are integer
 * nano-dollars and expire a day after their period ends.
 *
 * <p>Keys: {@code kw:{budget}:s:<scope>:<subject>:<period>} (spend), {@code …:m:<counter>:soft|exhausted}
 * (markers) and {@code kw:{budget}:r:<request id>} (applied adds). They share the hash tag {@code {budget}}
 * on purpose: one script touches a principal's, its team's and its key's counters at once, which Redis
 * Cluster allows only within one hash slot. Any Redis failure is a {@link BudgetStateUnavailableException}.
 * Passes the same contract test as {@link LocalSpendLedger} ({@code SpendLedgerContract}).
 */
public final class RedisSpendLedger implements SpendLedger {

    static final String PREFIX = "kw:{budget}:";
    private static final Duration GRACE = Duration.ofDays(1);
    private static final Duration REQUEST_MARKER_TTL = Duration.ofDays(2);

    /** KEYS: n spend keys, n exhausted markers. ARGV: limit_i, ttl_i. Returns spent_1..n, exhausted index (1-based, 0 none), first. */
    private static final String CHECK = """
            local n = #KEYS / 2
            local out = {}
            local exhausted = 0
            for i = 1, n do
              local spent = tonumber(redis.call('GET', KEYS[i]) or '0')
              out[i] = spent
              local limit = tonumber(ARGV[2 * i - 1])
              if exhausted == 0 and limit > 0 and spent >= limit then exhausted = i end
            end
            local first = 0
            if exhausted > 0 and redis.call('SET', KEYS[n + exhausted], '1', 'NX', 'PX', ARGV[2 * exhausted]) then first = 1 end
            out[n + 1] = exhausted
            out[n + 2] = first
            return out
            """;

    /**
     * KEYS: request marker, n spend keys, n soft markers. ARGV: cost, request marker ttl, then soft_i, ttl_i.
     * Returns {-1} when this request was already added, else crossed_1..n (1: soft threshold newly reached).
     */
    private static final String ADD = """
            if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return {-1} end
            local n = (#KEYS - 1) / 2
            local cost = tonumber(ARGV[1])
            local out = {}
            for i = 1, n do
              local total = redis.call('INCRBY', KEYS[1 + i], cost)
              redis.call('PEXPIRE', KEYS[1 + i], ARGV[2 + 2 * i])
              local soft = tonumber(ARGV[1 + 2 * i])
              out[i] = 0
              if soft > 0 and total >= soft and redis.call('SET', KEYS[1 + n + i], '1', 'NX', 'PX', ARGV[2 + 2 * i]) then out[i] = 1 end
            end
            return out
            """;

    private final RedisState redis;
    private final Clock clock;
    private final String prefix;
    private volatile String checkSha;
    private volatile String addSha;

    public RedisSpendLedger(RedisState redis, Clock clock) {
        this(redis, clock, PREFIX);
    }

    /** A ledger whose keys start with {@code prefix} (tests: one prefix per run; it must hold the {@code {budget}} tag). */
    RedisSpendLedger(RedisState redis, Clock clock, String prefix) {
        if (!prefix.contains("{budget}")) {
            throw new IllegalArgumentException("a spend-ledger key prefix must hold the {budget} hash tag: " + prefix);
        }
        this.redis = redis;
        this.clock = clock;
        this.prefix = prefix;
    }

    @Override
    public Check check(List<BudgetLine> lines) {
        int n = lines.size();
        String[] keys = new String[2 * n];
        String[] args = new String[2 * n];
        for (int i = 0; i < n; i++) {
            BudgetLine l = lines.get(i);
            keys[i] = prefix + "s:" + l.counter();
            keys[n + i] = prefix + "m:" + l.counter() + ":exhausted";
            args[2 * i] = Long.toString(l.limitNanos());
            args[2 * i + 1] = Long.toString(ttlMillis(l));
        }
        List<Object> out = run(true, keys, args);
        long[] spent = new long[n];
        for (int i = 0; i < n; i++) {
            spent[i] = (Long) out.get(i);
        }
        int exhausted = (int) (long) (Long) out.get(n) - 1;
        return new Check(spent, exhausted, (Long) out.get(n + 1) == 1L);
    }

    @Override
    public List<BudgetLine> add(String requestId, List<BudgetLine> lines, long costNanos, long[] softAtNanos) {
        int n = lines.size();
        String[] keys = new String[1 + 2 * n];
        String[] args = new String[2 + 2 * n];
        keys[0] = prefix + "r:" + requestId;
        args[0] = Long.toString(costNanos);
        args[1] = Long.toString(REQUEST_MARKER_TTL.toMillis());
        for (int i = 0; i < n; i++) {
            BudgetLine l = lines.get(i);
            keys[1 + i] = prefix + "s:" + l.counter();
            keys[1 + n + i] = prefix + "m:" + l.counter() + ":soft";
            args[2 + 2 * i] = Long.toString(softAtNanos[i]);
            args[3 + 2 * i] = Long.toString(ttlMillis(l));
        }
        List<Object> out = run(false, keys, args);
        List<BudgetLine> crossed = new ArrayList<>();
        if (out.size() == 1 && (Long) out.get(0) == -1L) {
            return crossed;
        }
        for (int i = 0; i < n; i++) {
            if ((Long) out.get(i) == 1L) {
                crossed.add(lines.get(i));
            }
        }
        return crossed;
    }

    private long ttlMillis(BudgetLine l) {
        return Math.max(1000, l.periodEnd().plus(GRACE).toEpochMilli() - clock.millis());
    }

    private List<Object> run(boolean check, String[] keys, String[] args) {
        try {
            RedisCommands<String, String> cmd = redis.connection().sync();
            String sha = check ? checkSha : addSha;
            if (sha == null) {
                sha = cmd.scriptLoad(check ? CHECK : ADD);
                if (check) {
                    checkSha = sha;
                } else {
                    addSha = sha;
                }
            }
            try {
                return cmd.evalsha(sha, ScriptOutputType.MULTI, keys, args);
            } catch (RedisNoScriptException flushed) {
                return cmd.eval(check ? CHECK : ADD, ScriptOutputType.MULTI, keys, args);
            }
        } catch (RuntimeException e) {
            throw new BudgetStateUnavailableException("budget state unavailable (Redis " + redis.url() + ": "
                    + e.getClass().getSimpleName() + ")", e);
        }
    }
}
