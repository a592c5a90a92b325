package dev.keywarden.guard;

import dev.keywarden.scan.SecretScanner;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Finds secrets in text that arrives in pieces (the {@code text_delta} events of one content
 * block), including a secret split over several pieces, holding back as little as possible and
 * changing nothing when there is nothing to redact.
 *
 * <p>How: every secret the rules know is a run of "token" characters (letters, digits and
 * {@code _-+/=.~:}), except PEM private keys. So the text is "settled" up to the start of its
 * trailing run of token characters (the word still being written), or up to an unfinished
 * {@code -----BEGIN} block. Pieces are released whole, in order, once all their text is settled:
 * their settled text is scanned together with the last {@value #CONTEXT} released characters (so an
 * assignment such as {@code api_key = } before a value still counts). A piece no secret touches is
 * released as it came (its payload, byte for byte); consecutive pieces a secret touches are
 * replaced by one piece of text with {@code [REDACTED:<rule>]} in place of each secret (or, when only
 * flagging, released unchanged and reported). Cost: each piece's text is read once for the rules'
 * keywords ({@link SecretDetector#keywordsIn}); the detector runs only when a keyword lies in the text it
 * would scan, which it would otherwise find nothing in — so a stream pays the detector for new text near
 * a keyword only, not for its look-back on every delta. A run longer than {@value #MAX_HOLD} characters is
 * settled all but its last {@value #MAX_HOLD}; a PEM block longer than {@value #MAX_PEM_HOLD} is
 * released. Latency: a piece waits until the word it ends with is complete — usually the next piece.
 * Not thread-safe (one per content block, fed in order).
 *
 * @param <P> the payload of a piece (the raw bytes of an SSE event)
 */
final class StreamingRedactor<P> {

    static final int CONTEXT = 96;
    static final int MAX_HOLD = 1024;
    static final int MAX_PEM_HOLD = 20_000;

    /** Reports a secret: rule id, offset of its start in the block's text, whether it was redacted. */
    interface Sink {
        void found(String ruleId, int offset, boolean redacted);
    }

    /** What to send: a piece as it came ({@code payload} set) or replacement text ({@code payload} null). */
    record Release<P>(P payload, String text) {
    }

    private record Piece<P>(P payload, String text) {
    }

    private final SecretDetector detector;
    private final boolean redact;
    private final Sink sink;
    private final Deque<Piece<P>> held = new ArrayDeque<>();
    private final StringBuilder pending = new StringBuilder();
    private String context = "";
    /** Characters of the block's text released so far (for offsets). */
    private int released;
    /** Where, in the block's text, keywords of the detector's rules occur ({start, end}), oldest first. */
    private final Deque<int[]> keywords = new ArrayDeque<>();
    /** Start (in {@link #pending}) of its trailing run of token characters. */
    private int runStart;
    /** {@link #pending} was searched for a PEM begin marker up to here (the marker's possible start). */
    private int beginSearched;
    /** Start (in {@link #pending}) of the first {@code -----BEGIN}, or -1. */
    private int begin = -1;
    /** How many times the detector ran (for tests: only when a keyword is near new text). */
    private int scans;

    /** Runs the detector on every release (the reference tests compare the keyword shortcut against). */
    private final boolean alwaysScan;

    StreamingRedactor(SecretDetector detector, boolean redact, Sink sink) {
        this(detector, redact, sink, false);
    }

    StreamingRedactor(SecretDetector detector, boolean redact, Sink sink, boolean alwaysScan) {
        this.detector = detector;
        this.redact = redact;
        this.sink = sink;
        this.alwaysScan = alwaysScan;
    }

    /**
     * Takes the next piece; returns what may be sent now, in order (possibly nothing). A piece with
     * empty text (another event that must keep its place behind held pieces) is released with the
     * piece before it.
     */
    List<Release<P>> accept(P payload, String text) {
        held.addLast(new Piece<>(payload, text));
        int before = pending.length();
        findKeywords(text);
        pending.append(text);
        int last = text.length() - 1;
        while (last >= 0 && isTokenChar(text.charAt(last))) {
            last--;
        }
        if (last >= 0) {
            runStart = before + last + 1;
        }
        return release(settled());
    }

    /**
     * Records the keywords that end in {@code text}, the next piece of the block: one pass over the piece
     * and the few characters before it a keyword may have started in.
     */
    private void findKeywords(String text) {
        int overlap = Math.min(detector.longestKeyword() - 1, context.length() + pending.length());
        if (text.isEmpty() || overlap < 0) {
            return;
        }
        StringBuilder window = new StringBuilder(overlap + text.length());
        int fromPending = Math.min(overlap, pending.length());
        window.append(context, context.length() - (overlap - fromPending), context.length())
                .append(pending, pending.length() - fromPending, pending.length()).append(text);
        int base = released + pending.length() - overlap;
        for (int[] k : detector.keywordsIn(window)) {
            if (k[1] > overlap) { // ends in the new piece: not recorded before
                keywords.addLast(new int[] {base + k[0], base + k[1]});
            }
        }
    }

    /** Whether a keyword lies inside [from, to) of the block's text; forgets keywords that start before {@code from}. */
    private boolean keywordWithin(int from, int to) {
        while (!keywords.isEmpty() && keywords.peekFirst()[0] < from) {
            keywords.removeFirst();
        }
        for (int[] k : keywords) {
            if (k[1] <= to) {
                return true;
            }
        }
        return false;
    }

    int scans() {
        return scans;
    }

    /** The block ended: everything still held, scanned. */
    List<Release<P>> flush() {
        return release(pending.length());
    }

    boolean holding() {
        return !held.isEmpty();
    }

    /** How much of the pending text can no longer grow into (or be part of) an unseen secret. */
    private int settled() {
        int n = pending.length();
        int run = runStart;
        int settled = n - run > MAX_HOLD ? n - MAX_HOLD : run;
        if (begin < 0) {
            begin = pending.indexOf("-----BEGIN", beginSearched);
            beginSearched = Math.max(beginSearched, n - 9); // a marker not yet complete may start in the last 9 characters
        }
        if (begin >= 0 && begin < settled && n - begin <= MAX_PEM_HOLD) {
            int end = pending.indexOf("-----END", begin);
            int close = end < 0 ? -1 : pending.indexOf("-----", end + 8);
            boolean complete = close >= 0 && close + 5 <= run;
            if (!complete) {
                settled = begin;
            }
        }
        return settled;
    }

    /**
     * Releases the leading pieces whose text ends within the first {@code upTo} pending characters,
     * except that no secret found in that text may be cut by the release boundary (the pieces it
     * reaches into wait with it).
     */
    private List<Release<P>> release(int upTo) {
        if (held.isEmpty()) {
            return List.of();
        }
        int base = context.length();
        List<SecretScanner.Located> found = new ArrayList<>();
        if (alwaysScan || keywordWithin(released - base, released + upTo)) { // without a keyword the detector finds nothing
            scans++;
            for (SecretScanner.Located h : detector.find(context + pending.substring(0, upTo))) {
                if (h.end() > base) {
                    found.add(new SecretScanner.Located(h.ruleId(), h.start() - base, h.end() - base));
                }
            }
        }
        List<Integer> ends = new ArrayList<>();
        int length = 0;
        for (Piece<P> p : held) {
            if (length + p.text().length() > upTo) {
                break;
            }
            length += p.text().length();
            ends.add(length);
        }
        int count = ends.size();
        for (boolean moved = true; moved && count > 0; ) {
            moved = false;
            int boundary = ends.get(count - 1);
            for (SecretScanner.Located h : found) {
                if (h.start() < boundary && h.end() > boundary) {
                    while (count > 0 && ends.get(count - 1) > Math.max(h.start(), 0)) {
                        count--;
                    }
                    moved = true;
                    break;
                }
            }
        }
        if (count == 0) {
            return List.of();
        }
        length = ends.get(count - 1);
        List<Piece<P>> pieces = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            pieces.add(held.removeFirst());
        }
        String text = pending.substring(0, length);
        pending.delete(0, length);
        runStart = Math.max(0, runStart - length);
        beginSearched = Math.max(0, beginSearched - length);
        begin = begin - length < 0 ? -1 : begin - length;
        List<SecretScanner.Located> hits = new ArrayList<>();
        for (SecretScanner.Located h : found) {
            if (h.end() > length) {
                continue; // released later, with the pieces it reaches into
            }
            if (h.start() < 0) {
                sink.found(h.ruleId(), released + h.start(), false); // began in text already sent: report only
                continue;
            }
            sink.found(h.ruleId(), released + h.start(), redact);
            hits.add(h);
        }
        List<Release<P>> out = new ArrayList<>(pieces.size());
        StringBuilder sent = new StringBuilder(length);
        if (!redact || hits.isEmpty()) {
            pieces.forEach(p -> out.add(new Release<>(p.payload(), p.text())));
            sent.append(text);
        } else {
            int at = 0;
            int i = 0;
            while (i < pieces.size()) {
                int pStart = at;
                int pEnd = at + pieces.get(i).text().length();
                int groupEnd = pEnd;
                int j = i;
                // extend the group while a secret overlaps [pStart, groupEnd) and continues past it
                boolean touched = false;
                for (boolean grew = true; grew; ) {
                    grew = false;
                    for (SecretScanner.Located h : hits) {
                        if (h.start() < groupEnd && h.end() > pStart) {
                            touched = true;
                            while (h.end() > groupEnd && j + 1 < pieces.size()) {
                                j++;
                                groupEnd += pieces.get(j).text().length();
                                grew = true;
                            }
                        }
                    }
                }
                if (!touched) {
                    out.add(new Release<>(pieces.get(i).payload(), pieces.get(i).text()));
                    sent.append(pieces.get(i).text());
                } else {
                    String replaced = redactRange(text, pStart, groupEnd, hits);
                    out.add(new Release<>(null, replaced));
                    sent.append(replaced);
                    for (int k = i; k <= j; k++) {
                        if (pieces.get(k).text().isEmpty()) {
                            out.add(new Release<>(pieces.get(k).payload(), "")); // an event between the secret's pieces
                        }
                    }
                }
                at = groupEnd;
                i = j + 1;
            }
        }
        released += length;
        String tail = context + sent;
        context = tail.length() <= CONTEXT ? tail : tail.substring(tail.length() - CONTEXT);
        if (!hits.isEmpty() && redact) {
            // the look-back now holds replacement text: its keywords are those of what was sent
            keywords.removeIf(k -> k[0] < released);
            int from = released - context.length();
            List<int[]> inContext = detector.keywordsIn(context);
            for (int i = inContext.size() - 1; i >= 0; i--) {
                keywords.addFirst(new int[] {from + inContext.get(i)[0], from + inContext.get(i)[1]});
            }
        }
        return out;
    }

    private static String redactRange(String text, int from, int to, List<SecretScanner.Located> hits) {
        StringBuilder sb = new StringBuilder(to - from);
        int at = from;
        for (SecretScanner.Located h : hits) {
            if (h.start() < at || h.end() > to) {
                continue;
            }
            sb.append(text, at, h.start()).append(SecretDetector.marker(h.ruleId()));
            at = h.end();
        }
        return sb.append(text, at, to).toString();
    }

    static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '+' || c == '/' || c == '=' || c == '.' || c == '~' || c == ':';
    }
}
