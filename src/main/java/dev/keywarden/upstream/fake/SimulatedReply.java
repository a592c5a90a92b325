package dev.keywarden.upstream.fake;

import java.util.ArrayList;
import java.util.List;

/**
 * The deterministic assistant text the fake answers with, cut into the pieces a stream sends as
 * {@code text_delta}s. One word is one output token.
 *
 * <p>Guarantee: the same request and scenario always give the same text. The ordinary answer is
 * {@value #SENTENCE} followed by {@code You said:} and up to {@value #ECHO_WORDS} words of the
 * last user message (each cut to 64 characters, credential shapes masked by {@link Echo}), cut at
 * {@code max_tokens} words (then {@code stop_reason} is
 * {@code max_tokens}, else {@code end_turn}). The {@code slow} (200 words, one per delta) and
 * {@code big} (about 1 MiB, {@value #BIG_WORDS_PER_DELTA} words per delta) answers have a fixed
 * length and ignore {@code max_tokens}.
 *
 * @param pieces       delta texts in order; concatenated they are the whole text
 * @param outputTokens words in the text
 * @param stopReason   {@code end_turn} or {@code max_tokens}
 */
record SimulatedReply(List<String> pieces, int outputTokens, String stopReason) {

    static final String SENTENCE = "This is a simulated reply from Keywarden's fake upstream.";
    static final int ECHO_WORDS = 12;
    static final int SLOW_DELTAS = 200;
    static final int BIG_WORDS_PER_DELTA = 256;
    static final int BIG_MIN_BYTES = 1 << 20;

    private static final String[] WORDS = SENTENCE.split(" ");

    SimulatedReply {
        pieces = List.copyOf(pieces);
    }

    /** The answer for a request under a scenario. */
    static SimulatedReply forRequest(MessagesRequest request, Scenario scenario) {
        return switch (scenario) {
            case SLOW -> Slow.REPLY;
            case BIG -> Big.REPLY;
            default -> ordinary(request.echoText(), request.maxTokens());
        };
    }

    /** The whole text. */
    String text() {
        if (pieces.size() == 1) {
            return pieces.get(0);
        }
        int length = 0;
        for (String p : pieces) {
            length += p.length();
        }
        StringBuilder sb = new StringBuilder(length);
        pieces.forEach(sb::append);
        return sb.toString();
    }

    private static SimulatedReply ordinary(String echo, int maxTokens) {
        List<String> words = new ArrayList<>(WORDS.length + 2 + ECHO_WORDS);
        for (String w : WORDS) {
            words.add(w);
        }
        List<String> echoed = firstWords(echo, ECHO_WORDS);
        if (!echoed.isEmpty()) {
            words.add("You");
            words.add("said:");
            words.addAll(echoed);
        }
        boolean cut = words.size() > maxTokens;
        int n = cut ? maxTokens : words.size();
        List<String> pieces = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pieces.add(i == 0 ? words.get(i) : " " + words.get(i));
        }
        return new SimulatedReply(pieces, n, cut ? "max_tokens" : "end_turn");
    }

    /** Up to {@code max} whitespace-separated words, without a regex. */
    private static List<String> firstWords(String text, int max) {
        List<String> out = new ArrayList<>(Math.min(max, 16));
        int i = 0;
        int n = text.length();
        while (out.size() < max) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            out.add(Echo.safe(text.substring(start, i), 64));
        }
        return out;
    }

    private static final class Slow {
        static final SimulatedReply REPLY;

        static {
            List<String> pieces = new ArrayList<>(SLOW_DELTAS);
            for (int i = 0; i < SLOW_DELTAS; i++) {
                pieces.add(i == 0 ? WORDS[0] : " " + WORDS[i % WORDS.length]);
            }
            REPLY = new SimulatedReply(pieces, SLOW_DELTAS, "end_turn");
        }
    }

    private static final class Big {
        static final SimulatedReply REPLY;

        static {
            List<String> pieces = new ArrayList<>();
            long size = 0;
            StringBuilder piece = new StringBuilder();
            int words = 0;
            while (size < BIG_MIN_BYTES) {
                String w = (words == 0 ? "" : " ") + WORDS[words % WORDS.length];
                piece.append(w);
                size += w.length();
                words++;
                if (words % BIG_WORDS_PER_DELTA == 0) {
                    pieces.add(piece.toString());
                    piece.setLength(0);
                }
            }
            if (!piece.isEmpty()) {
                pieces.add(piece.toString());
            }
            REPLY = new SimulatedReply(pieces, words, "end_turn");
        }
    }
}
