package dev.keywarden.limits;

import dev.keywarden.config.TierLimits;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The IETF {@code RateLimit-Policy} and {@code RateLimit} header fields
 * (draft-ietf-httpapi-ratelimit-headers) for a tier and a decision, e.g.
 * <pre>
 * RateLimit-Policy: "requests";q=50;w=60, "input-tokens";q=100000;w=60, "output-tokens";q=20000;w=60
 * RateLimit: "requests";r=49;t=2, "input-tokens";r=99950;t=1, "output-tokens";r=18976;t=4
 * </pre>
 * {@code q} is the quota per window {@code w} (seconds), {@code r} what remains and {@code t} the seconds
 * until the quota is fully available again (buckets refill continuously). Unlimited dimensions are left out.
 */
public final class RateLimitHeaders {

    public static final String POLICY = "RateLimit-Policy";
    public static final String RATE_LIMIT = "RateLimit";

    private RateLimitHeaders() {
    }

    public static Map<String, String> of(TierLimits limits, Decision d) {
        StringBuilder policy = new StringBuilder();
        StringBuilder state = new StringBuilder();
        Decision.Remaining r = d.remaining();
        add(policy, state, Decision.Quota.REQUESTS, limits.requestsPerMinute(), r.requests(), r.requestsFullInMillis());
        add(policy, state, Decision.Quota.INPUT_TOKENS, limits.inputTokensPerMinute(), r.inputTokens(), r.inputFullInMillis());
        add(policy, state, Decision.Quota.OUTPUT_TOKENS, limits.outputTokensPerMinute(), r.outputTokens(), r.outputFullInMillis());
        Map<String, String> h = new LinkedHashMap<>();
        if (!policy.isEmpty()) {
            h.put(POLICY, policy.toString());
            h.put(RATE_LIMIT, state.toString());
        }
        return h;
    }

    private static void add(StringBuilder policy, StringBuilder state, Decision.Quota dimension, long quota, long remaining,
                            long resetMillis) {
        String name = dimension.wireName();
        if (quota == 0) {
            return;
        }
        if (!policy.isEmpty()) {
            policy.append(", ");
            state.append(", ");
        }
        policy.append('"').append(name).append("\";q=").append(quota).append(";w=60");
        state.append('"').append(name).append("\";r=").append(Math.min(remaining, quota)).append(";t=").append(seconds(resetMillis));
    }

    /** Whole seconds, rounded up. */
    static long seconds(long millis) {
        return millis <= 0 ? 0 : (millis + 999) / 1000;
    }
}
