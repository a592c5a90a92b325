package dev.keywarden.upstream.fake;

import java.time.Instant;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * The {@code anthropic-ratelimit-*} headers: {@code requests}, {@code tokens},
 * {@code input-tokens} and {@code output-tokens}, each with {@code -limit}, {@code -remaining}
 * and {@code -reset} (an RFC 3339 time).
 *
 * <p>Guarantee: a successful answer shows one request and its tokens used out of a fixed budget,
 * resetting within a second; a rate-limited answer shows nothing remaining and a reset
 * {@link #RETRY_AFTER_SECONDS} seconds away, matching its {@code retry-after}. Constant fields
 * are built once and the reset time once per second, so the hot path only formats the counts.
 */
final class RateLimitHeaders {

    static final int RETRY_AFTER_SECONDS = 7;
    static final long REQUESTS_LIMIT = 4_000;
    static final long INPUT_TOKENS_LIMIT = 2_000_000;
    static final long OUTPUT_TOKENS_LIMIT = 400_000;
    static final long TOKENS_LIMIT = INPUT_TOKENS_LIMIT + OUTPUT_TOKENS_LIMIT;

    private static final String[] KINDS = {"requests", "tokens", "input-tokens", "output-tokens"};
    private static final long[] LIMITS = {REQUESTS_LIMIT, TOKENS_LIMIT, INPUT_TOKENS_LIMIT, OUTPUT_TOKENS_LIMIT};
    private static final String[] REMAINING_NAMES = new String[4];
    private static final String[] RESET_NAMES = new String[4];
    private static final HttpField[] LIMIT_FIELDS = new HttpField[4];
    private static final HttpField REQUESTS_REMAINING;

    static {
        for (int i = 0; i < 4; i++) {
            String prefix = "anthropic-ratelimit-" + KINDS[i] + "-";
            LIMIT_FIELDS[i] = new HttpField(prefix + "limit", Long.toString(LIMITS[i]));
            REMAINING_NAMES[i] = prefix + "remaining";
            RESET_NAMES[i] = prefix + "reset";
        }
        REQUESTS_REMAINING = new HttpField(REMAINING_NAMES[0], Long.toString(REQUESTS_LIMIT - 1));
    }

    private static volatile ResetFields cached = new ResetFields(Long.MIN_VALUE, null);

    private record ResetFields(long epochSecond, HttpField[] fields) {
    }

    private RateLimitHeaders() {
    }

    static HttpFields forSuccess(int inputTokens, int outputTokens) {
        HttpField[] reset = resetFieldsForNextSecond();
        HttpFields.Mutable h = HttpFields.build(12);
        h.add(LIMIT_FIELDS[0]).add(REQUESTS_REMAINING).add(reset[0]);
        h.add(LIMIT_FIELDS[1]).add(REMAINING_NAMES[1], Math.max(0, TOKENS_LIMIT - inputTokens - outputTokens)).add(reset[1]);
        h.add(LIMIT_FIELDS[2]).add(REMAINING_NAMES[2], Math.max(0, INPUT_TOKENS_LIMIT - inputTokens)).add(reset[2]);
        h.add(LIMIT_FIELDS[3]).add(REMAINING_NAMES[3], Math.max(0, OUTPUT_TOKENS_LIMIT - outputTokens)).add(reset[3]);
        return h;
    }

    static HttpFields exhausted() {
        String reset = Instant.ofEpochSecond(Instant.now().getEpochSecond() + RETRY_AFTER_SECONDS).toString();
        HttpFields.Mutable h = HttpFields.build(13);
        h.add("retry-after", Integer.toString(RETRY_AFTER_SECONDS));
        for (int i = 0; i < 4; i++) {
            h.add(LIMIT_FIELDS[i]).add(REMAINING_NAMES[i], "0").add(RESET_NAMES[i], reset);
        }
        return h;
    }

    /** The reset fields for the start of the next second, built once per second. */
    private static HttpField[] resetFieldsForNextSecond() {
        long now = System.currentTimeMillis() / 1000;
        ResetFields c = cached;
        if (c.epochSecond() != now) {
            String next = Instant.ofEpochSecond(now + 1).toString();
            HttpField[] fields = new HttpField[4];
            for (int i = 0; i < 4; i++) {
                fields[i] = new HttpField(RESET_NAMES[i], next);
            }
            c = new ResetFields(now, fields);
            cached = c;
        }
        return c.fields();
    }
}
