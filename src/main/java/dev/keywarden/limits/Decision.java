package dev.keywarden.limits;

import dev.keywarden.config.TierLimits;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer of a {@link RateLimiter} to one request, like Bucket4j's {@code ConsumptionProbe}: either
 * {@linkplain #admitted(Remaining) admitted}, or {@linkplain #refused(Quota, long, Remaining) refused} by a
 * named {@link Quota} with the time after which a retry can succeed; in both cases what remains of each
 * quota afterwards (for the {@code RateLimit} header field). Immutable.
 *
 * <p>Guarantees: an admitted decision has no quota and a retry time of 0; a refused one always names
 * the quota that refused and a retry time of at least 0.
 */
public final class Decision {

    /** The limit a request can be refused by. */
    public enum Quota {
        REQUESTS("requests"),
        INPUT_TOKENS("input-tokens"),
        OUTPUT_TOKENS("output-tokens"),
        CONCURRENCY("concurrency");

        private final String wireName;

        Quota(String wireName) {
            this.wireName = wireName;
        }

        /** The name in headers, scripts and messages: {@code requests}, {@code input-tokens}, … */
        public String wireName() {
            return wireName;
        }

        /** The limit in words under {@code limits}, e.g. {@code 50 requests per minute}. */
        public String describe(TierLimits limits) {
            return switch (this) {
                case REQUESTS -> limits.requestsPerMinute() + " requests per minute";
                case INPUT_TOKENS -> limits.inputTokensPerMinute() + " input tokens per minute";
                case OUTPUT_TOKENS -> limits.outputTokensPerMinute() + " output tokens per minute";
                case CONCURRENCY -> limits.concurrentRequests() + " concurrent requests";
            };
        }

        /** The quota named {@code wireName}. */
        public static Quota ofWireName(String wireName) {
            for (Quota q : values()) {
                if (q.wireName.equals(wireName)) {
                    return q;
                }
            }
            throw new IllegalArgumentException("unknown rate-limit quota: " + wireName);
        }
    }

    /**
     * What is left of each bucket after the decision (whole units, never negative) and how long until
     * each is full again.
     */
    public record Remaining(long requests, long inputTokens, long outputTokens,
                            long requestsFullInMillis, long inputFullInMillis, long outputFullInMillis) {
    }

    private final Quota refusedBy;
    private final long retryAfterMillis;
    private final Remaining remaining;
    private final boolean fallback;

    private Decision(Quota refusedBy, long retryAfterMillis, Remaining remaining, boolean fallback) {
        this.refusedBy = refusedBy;
        this.retryAfterMillis = retryAfterMillis;
        this.remaining = Objects.requireNonNull(remaining, "remaining");
        this.fallback = fallback;
    }

    /** The request is admitted; {@code remaining} is what is left after it was charged. */
    public static Decision admitted(Remaining remaining) {
        return new Decision(null, 0, remaining, false);
    }

    /** The request is refused by {@code quota}; a retry after {@code retryAfterMillis} can be admitted. */
    public static Decision refused(Quota quota, long retryAfterMillis, Remaining remaining) {
        Objects.requireNonNull(quota, "a refusal names the quota that refused");
        if (retryAfterMillis < 0) {
            throw new IllegalArgumentException("retryAfterMillis was " + retryAfterMillis + ", must be >= 0");
        }
        return new Decision(quota, retryAfterMillis, remaining, false);
    }

    public boolean admitted() {
        return refusedBy == null;
    }

    /** The quota that refused the request; empty when it was admitted. */
    public Optional<Quota> refusedBy() {
        return Optional.ofNullable(refusedBy);
    }

    /** When a refused request could be admitted (0 when admitted). */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    public Remaining remaining() {
        return remaining;
    }

    /** Decided by the per-instance fallback while the shared state was unreachable. */
    public boolean fallback() {
        return fallback;
    }

    /** The same decision, marked as made by the fallback limiter. */
    Decision asFallback() {
        return new Decision(refusedBy, retryAfterMillis, remaining, true);
    }

    @Override
    public String toString() {
        return (admitted() ? "admitted" : "refused by " + refusedBy.wireName() + ", retry after " + retryAfterMillis + " ms")
                + (fallback ? " (fallback)" : "") + ", " + remaining;
    }
}
