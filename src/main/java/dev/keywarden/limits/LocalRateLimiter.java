package dev.keywarden.limits;

import dev.keywarden.config.TierLimits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@link RateLimiter} in this process ({@code state: local}, and the per-instance fallback when Redis
 * is down). Correct for one instance; state is lost on restart. Idle subjects are dropped once their
 * buckets are full again, so memory follows the number of active principals.
 */
public final class LocalRateLimiter implements RateLimiter {

    static final long WINDOW_MILLIS = 60_000;
    /** When a request refused for concurrency is told to retry: slots free as calls finish, not on a schedule. */
    static final long CONCURRENCY_RETRY_MILLIS = 1_000;

    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Buckets> subjects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Failures> addresses = new ConcurrentHashMap<>();

    /** A limiter on the system clock. */
    public LocalRateLimiter() {
        this(System::currentTimeMillis);
    }

    /** A limiter on {@code clockMillis} (tests: a fake clock). */
    public LocalRateLimiter(LongSupplier clockMillis) {
        this.clock = clockMillis;
    }

    /** Token-bucket levels of one subject; guarded by its own monitor. */
    private static final class Buckets {
        double requests = Double.NaN;
        double input = Double.NaN;
        double output = Double.NaN;
        long at;
        int inFlight;

        void refill(TierLimits l, long now) {
            long elapsed = Math.max(0, now - at);
            requests = refill(requests, l.requestsPerMinute(), elapsed);
            input = refill(input, l.inputTokensPerMinute(), elapsed);
            output = refill(output, l.outputTokensPerMinute(), elapsed);
            at = now;
        }

        private static double refill(double level, long capacity, long elapsed) {
            if (capacity == 0) {
                return 0;
            }
            if (Double.isNaN(level)) {
                return capacity;
            }
            return Math.min(capacity, level + elapsed * (double) capacity / WINDOW_MILLIS);
        }
    }

    private static final class Failures {
        long windowStart;
        int count;
        long lockedUntil;
    }

    @Override
    public Decision acquire(String subject, TierLimits limits, long inputEstimate, long outputEstimate) {
        long now = clock.getAsLong();
        Buckets b = subjects.computeIfAbsent(subject, s -> new Buckets());
        synchronized (b) {
            b.refill(limits, now);
            Decision.Quota limitedBy = null;
            long retry = 0;
            if (limits.requestsPerMinute() > 0 && b.requests < 1) {
                limitedBy = Decision.Quota.REQUESTS;
                retry = Math.max(retry, until(1 - b.requests, limits.requestsPerMinute()));
            }
            if (limits.inputTokensPerMinute() > 0 && b.input <= 0) {
                limitedBy = limitedBy == null ? Decision.Quota.INPUT_TOKENS : limitedBy;
                retry = Math.max(retry, until(-b.input + 1, limits.inputTokensPerMinute()));
            }
            if (limits.outputTokensPerMinute() > 0 && b.output <= 0) {
                limitedBy = limitedBy == null ? Decision.Quota.OUTPUT_TOKENS : limitedBy;
                retry = Math.max(retry, until(-b.output + 1, limits.outputTokensPerMinute()));
            }
            if (limits.concurrentRequests() > 0 && b.inFlight >= limits.concurrentRequests()) {
                limitedBy = limitedBy == null ? Decision.Quota.CONCURRENCY : limitedBy;
                retry = Math.max(retry, CONCURRENCY_RETRY_MILLIS);
            }
            if (limitedBy != null) {
                return Decision.refused(limitedBy, retry, remaining(b, limits));
            }
            if (limits.requestsPerMinute() > 0) {
                b.requests -= 1;
            }
            if (limits.inputTokensPerMinute() > 0) {
                b.input -= inputEstimate;
            }
            if (limits.outputTokensPerMinute() > 0) {
                b.output -= outputEstimate;
            }
            b.inFlight++;
            return Decision.admitted(remaining(b, limits));
        }
    }

    private static Decision.Remaining remaining(Buckets b, TierLimits limits) {
        return new Decision.Remaining(floor(b.requests), floor(b.input), floor(b.output),
                until(limits.requestsPerMinute() - b.requests, limits.requestsPerMinute()),
                until(limits.inputTokensPerMinute() - b.input, limits.inputTokensPerMinute()),
                until(limits.outputTokensPerMinute() - b.output, limits.outputTokensPerMinute()));
    }

    @Override
    public void settle(String subject, TierLimits limits, Decision admitted, long inputRefund, long outputRefund) {
        long now = clock.getAsLong();
        Buckets b = subjects.computeIfAbsent(subject, s -> new Buckets());
        synchronized (b) {
            b.refill(limits, now);
            if (limits.inputTokensPerMinute() > 0) {
                b.input = Math.min(limits.inputTokensPerMinute(), b.input + inputRefund);
            }
            if (limits.outputTokensPerMinute() > 0) {
                b.output = Math.min(limits.outputTokensPerMinute(), b.output + outputRefund);
            }
            b.inFlight = Math.max(0, b.inFlight - 1);
            if (b.inFlight == 0 && full(b, limits)) {
                subjects.remove(subject, b);
            }
        }
    }

    private static boolean full(Buckets b, TierLimits l) {
        return b.requests >= l.requestsPerMinute() && b.input >= l.inputTokensPerMinute() && b.output >= l.outputTokensPerMinute();
    }

    @Override
    public long lockedOutMillis(String address) {
        Failures f = addresses.get(address);
        if (f == null) {
            return 0;
        }
        synchronized (f) {
            return Math.max(0, f.lockedUntil - clock.getAsLong());
        }
    }

    @Override
    public void authFailed(String address, int threshold, long lockoutMillis) {
        if (threshold <= 0) {
            return;
        }
        long now = clock.getAsLong();
        Failures f = addresses.computeIfAbsent(address, a -> new Failures());
        synchronized (f) {
            if (now - f.windowStart >= WINDOW_MILLIS) {
                f.windowStart = now;
                f.count = 0;
            }
            if (++f.count >= threshold) {
                f.lockedUntil = now + lockoutMillis;
                f.count = 0;
            }
        }
        if (addresses.size() > 100_000) {
            addresses.entrySet().removeIf(e -> e.getValue().lockedUntil < now && now - e.getValue().windowStart >= WINDOW_MILLIS);
        }
    }

    /** Milliseconds to refill {@code amount} at {@code capacity} per minute (0 when unlimited or nothing missing). */
    static long until(double amount, long capacity) {
        if (capacity == 0 || amount <= 0) {
            return 0;
        }
        return (long) Math.ceil(amount * WINDOW_MILLIS / capacity);
    }

    private static long floor(double level) {
        return Double.isNaN(level) ? 0 : Math.max(0, (long) Math.floor(level));
    }
}
