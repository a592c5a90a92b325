package dev.keywarden.guard;

import dev.keywarden.scan.SecretScanner;

import java.util.List;

/**
 * Finds secrets in text that arrives in pieces (the {@code text_delta}s of one content block),
 * including a secret split over several pieces, while holding back as little as possible.
 *
 * <p>How: every secret the rules know is a run of "token" characters (letters, digits and
 * {@code _-+/=.~:}), except PEM private keys. So a piece is released up to the start of its trailing
 * run of token characters (the word still being written), or up to an unfinished
 * {@code -----BEGIN} block; what is released is scanned together with the last
 * {@value #CONTEXT} released characters (so an assignment such as {@code api_key = } before a value
 * still counts), and a secret found in it is replaced by {@code [REDACTED:<rule>]} (or only reported,
 * when not redacting). A run longer than {@value #MAX_HOLD} characters is released all but its last
 * {@value #MAX_HOLD}; a PEM block longer than {@value #MAX_PEM_HOLD}. Latency: text is delayed by one
 * word, not by a fixed window. Not thread-safe (one per content block, fed in order).
 */
final class StreamingRedactor {

    static final int CONTEXT = 96;
    static final int MAX_HOLD = 1024;
    static final int MAX_PEM_HOLD = 20_000;

    /** Reports a secret: rule id, offset of its start in the block's text. */
    interface Sink {
        void found(String ruleId, int offset, boolean redacted);
    }

    private final SecretDetector detector;
    private final boolean redact;
    private final Sink sink;
    private final StringBuilder pending = new StringBuilder();
    private String context = "";
    /** Characters of the block's original text released so far (for offsets). */
    private int released;

    StreamingRedactor(SecretDetector detector, boolean redact, Sink sink) {
        this.detector = detector;
        this.redact = redact;
        this.sink = sink;
    }

    /** Takes the next piece; returns the text that may be sent now (possibly empty). */
    String accept(String piece) {
        pending.append(piece);
        return release(holdPoint());
    }

    /** The block ended: returns everything still held, scanned. */
    String flush() {
        return release(pending.length());
    }

    boolean holding() {
        return !pending.isEmpty();
    }

    private int holdPoint() {
        int n = pending.length();
        int run = n;
        while (run > 0 && isTokenChar(pending.charAt(run - 1))) {
            run--;
        }
        int hold = n - run > MAX_HOLD ? n - MAX_HOLD : run;
        int begin = pending.indexOf("-----BEGIN");
        if (begin >= 0 && begin < hold && pending.indexOf("PRIVATE KEY", begin) >= 0 | pending.length() - begin < 64) {
            int end = pending.indexOf("-----END", begin);
            boolean closed = end >= 0 && pending.indexOf("-----", end + 8) >= 0 && pending.indexOf("-----", end + 8) < run;
            if (!closed && n - begin <= MAX_PEM_HOLD) {
                hold = begin;
            }
        }
        return hold;
    }

    private String release(int upTo) {
        if (upTo <= 0) {
            return "";
        }
        String settled = pending.substring(0, upTo);
        pending.delete(0, upTo);
        String scanned = context + settled;
        List<SecretScanner.Located> hits = detector.find(scanned);
        String out = settled;
        if (!hits.isEmpty()) {
            int base = context.length();
            StringBuilder sb = new StringBuilder(settled.length());
            int at = 0;
            for (SecretScanner.Located h : hits) {
                if (h.end() <= base) {
                    continue; // entirely in text already released (and already reported)
                }
                int start = h.start() - base;
                if (start < 0) {
                    // began in text already sent: it can only be reported
                    sink.found(h.ruleId(), released + start, false);
                    continue;
                }
                sink.found(h.ruleId(), released + start, redact);
                if (redact && start >= at) {
                    sb.append(settled, at, start).append(SecretDetector.marker(h.ruleId()));
                    at = h.end() - base;
                }
            }
            out = redact ? sb.append(settled, at, settled.length()).toString() : settled;
        }
        released += settled.length();
        String tail = context + out;
        context = tail.length() <= CONTEXT ? tail : tail.substring(tail.length() - CONTEXT);
        return out;
    }

    static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '+' || c == '/' || c == '=' || c == '.' || c == '~' || c == ':';
    }
}
