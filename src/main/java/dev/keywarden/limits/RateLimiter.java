package dev.keywarden.limits;

import dev.keywarden.config.TierLimits;

/**
 * Per-principal rate-limit state: token buckets for requests, input tokens and output tokens (each
 * refilled continuously over one minute) and a count of requests in flight, plus per-address
 * failed-authentication counters with lockout. One implementation keeps the state in this process
 * ({@link LocalRateLimiter}), one in Redis ({@link RedisRateLimiter}) so that all instances share it.
 *
 * <p>Admission rule: a request is admitted when the request bucket holds at least one request, each
 * token bucket is above zero and fewer than the concurrency limit are in flight; it then takes one
 * request, the token estimates (buckets may go below zero) and one concurrency slot. {@link #settle}
 * corrects the token buckets by (estimate - actual) and frees the slot. So a stream can overrun a
 * token limit by at most one request: the next one is refused until the bucket is above zero again.
 *
 * <p>Every decision is atomic per subject (one lock locally, one Lua script round trip in Redis). Both
 * implementations pass one contract test ({@code RateLimiterContract}): on the same clock they admit,
 * refuse (naming the same {@link Decision.Quota}) and give the same retry times.
 */
public interface RateLimiter extends AutoCloseable {

    /**
     * Decides on one request of {@code subject} under {@code limits}, charging the estimates when admitted.
     *
     * @throws LimiterUnavailableException when the state cannot be reached (Redis down)
     */
    Decision acquire(String subject, TierLimits limits, long inputEstimate, long outputEstimate);

    /**
     * Settles a request {@code admitted} by {@link #acquire}: adds {@code inputRefund} and {@code outputRefund} back to the token
     * buckets (negative values charge more) and releases its concurrency slot.
     *
     * @throws LimiterUnavailableException when the state cannot be reached
     */
    void settle(String subject, TierLimits limits, Decision admitted, long inputRefund, long outputRefund);

    /** Milliseconds {@code address} stays locked out, 0 when it is not. */
    long lockedOutMillis(String address);

    /**
     * Counts a failed authentication from {@code address}; the {@code threshold}-th failure within a
     * minute locks the address out for {@code lockoutMillis}.
     */
    void authFailed(String address, int threshold, long lockoutMillis);

    /** The limits {@code decision} was actually made under (the fallback divides them); for headers and messages. */
    default TierLimits effectiveLimits(TierLimits limits, Decision decision) {
        return limits;
    }

    @Override
    default void close() {
    }
}
