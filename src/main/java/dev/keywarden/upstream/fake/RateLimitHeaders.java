package dev.keywarden.upstream.fake;

import java.time.Instant;
import org.eclipse.jetty.http.HttpFields;

/**
 * The {@code anthropic-ratelimit-*} headers: {@code requests}, {@code tokens},
 * {@code input-tokens} and {@code output-tokens}, each with {@code -limit}, {@code -remaining}
 * and {@code -reset} (an RFC 3339 time).
 *
 * <p>Guarantee: a successful answer shows one request and its tokens used out of a fixed budget,
 * resetting within a second; a rate-limited answer shows nothing remaining and a reset
 * {@link #RETRY_AFTER_SECONDS} seconds away, matching its {@code retry-after}.
 */
final class RateLimitHeaders {

    static final int RETRY_AFTER_SECONDS = 7;
    static final long REQUESTS_LIMIT = 4_000;
    static final long INPUT_TOKENS_LIMIT = 2_000_000;
    static final long OUTPUT_TOKENS_LIMIT = 400_000;
    static final long TOKENS_LIMIT = INPUT_TOKENS_LIMIT + OUTPUT_TOKENS_LIMIT;

    private static volatile CachedReset cached = new CachedReset(0, "");

    private record CachedReset(long epochSecond, String nextSecond) {
    }

    private RateLimitHeaders() {
    }

    static HttpFields forSuccess(int inputTokens, int outputTokens) {
        String reset = nextSecond();
        HttpFields.Mutable h = HttpFields.build(12);
        add(h, "requests", REQUESTS_LIMIT, REQUESTS_LIMIT - 1, reset);
        add(h, "tokens", TOKENS_LIMIT, Math.max(0, TOKENS_LIMIT - inputTokens - outputTokens), reset);
        add(h, "input-tokens", INPUT_TOKENS_LIMIT, Math.max(0, INPUT_TOKENS_LIMIT - inputTokens), reset);
        add(h, "output-tokens", OUTPUT_TOKENS_LIMIT, Math.max(0, OUTPUT_TOKENS_LIMIT - outputTokens), reset);
        return h.asImmutable();
    }

    static HttpFields exhausted() {
        String reset = Instant.ofEpochSecond(Instant.now().getEpochSecond() + RETRY_AFTER_SECONDS).toString();
        HttpFields.Mutable h = HttpFields.build(13);
        h.put("retry-after", Integer.toString(RETRY_AFTER_SECONDS));
        add(h, "requests", REQUESTS_LIMIT, 0, reset);
        add(h, "tokens", TOKENS_LIMIT, 0, reset);
        add(h, "input-tokens", INPUT_TOKENS_LIMIT, 0, reset);
        add(h, "output-tokens", OUTPUT_TOKENS_LIMIT, 0, reset);
        return h.asImmutable();
    }

    private static void add(HttpFields.Mutable h, String name, long limit, long remaining, String reset) {
        String prefix = switch (name) {
            case "requests" -> "anthropic-ratelimit-requests-";
            case "tokens" -> "anthropic-ratelimit-tokens-";
            case "input-tokens" -> "anthropic-ratelimit-input-tokens-";
            default -> "anthropic-ratelimit-output-tokens-";
        };
        h.put(prefix + "limit", Long.toString(limit));
        h.put(prefix + "remaining", Long.toString(remaining));
        h.put(prefix + "reset", reset);
    }

    /** The start of the next second as RFC 3339, formatted once per second. */
    private static String nextSecond() {
        long now = System.currentTimeMillis() / 1000;
        CachedReset c = cached;
        if (c.epochSecond() != now) {
            c = new CachedReset(now, Instant.ofEpochSecond(now + 1).toString());
            cached = c;
        }
        return c.nextSecond();
    }
}
