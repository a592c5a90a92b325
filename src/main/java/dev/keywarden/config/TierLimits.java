package dev.keywarden.config;

/**
 * The limits of one tier, per principal. A value of {@code 0} means "no limit" for that dimension.
 *
 * @param requestsPerMinute     requests admitted per minute (token bucket refilled continuously)
 * @param inputTokensPerMinute  input tokens per minute (charged from an estimate, then corrected from usage)
 * @param outputTokensPerMinute output tokens per minute (charged from max_tokens, then corrected from usage)
 * @param concurrentRequests    requests in flight at once
 */
public record TierLimits(String name, long requestsPerMinute, long inputTokensPerMinute, long outputTokensPerMinute,
                         int concurrentRequests) {

    /** This tier with every limit divided by {@code n} (at least 1 where limited): per-instance fallback. */
    public TierLimits dividedBy(int n) {
        if (n <= 1) {
            return this;
        }
        return new TierLimits(name, div(requestsPerMinute, n), div(inputTokensPerMinute, n), div(outputTokensPerMinute, n),
                (int) div(concurrentRequests, n));
    }

    private static long div(long v, int n) {
        return v == 0 ? 0 : Math.max(1, v / n);
    }
}
