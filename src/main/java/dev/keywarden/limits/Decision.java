package dev.keywarden.limits;

/**
 * The answer of a {@link RateLimiter} to one request: admitted or not, why, when to retry, and what
 * remains of each quota afterwards (for the {@code RateLimit} header field).
 *
 * @param limitedBy        the quota that refused ({@code requests}, {@code input-tokens},
 *                         {@code output-tokens}, {@code concurrency}), or null when admitted
 * @param retryAfterMillis when a refused request could be admitted (0 when admitted)
 * @param requestsRemaining requests left in the bucket (whole), after this request
 * @param inputRemaining    input tokens left (whole, never negative)
 * @param outputRemaining   output tokens left
 * @param requestsResetMillis time until the request bucket is full again
 * @param inputResetMillis    time until the input-token bucket is full again
 * @param outputResetMillis   time until the output-token bucket is full again
 * @param fallback            decided by the per-instance fallback while the shared state was unreachable
 */
public record Decision(boolean admitted, String limitedBy, long retryAfterMillis,
                       long requestsRemaining, long inputRemaining, long outputRemaining,
                       long requestsResetMillis, long inputResetMillis, long outputResetMillis, boolean fallback) {

    /** The same decision, marked as made by the fallback limiter. */
    Decision asFallback() {
        return new Decision(admitted, limitedBy, retryAfterMillis, requestsRemaining, inputRemaining, outputRemaining,
                requestsResetMillis, inputResetMillis, outputResetMillis, true);
    }
}
