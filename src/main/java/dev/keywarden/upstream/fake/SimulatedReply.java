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
 * length and ignore {@code max_tokens}. A follow-up whose last user message carries a
 * {@code tool_result} is answered {@code The tool returned:} and up to {@value #ECHO_WORDS} words of
 * the result instead. When the request calls for a tool ({@link ToolCall#decide}), the answer is
 * {@code Calling the NAME tool.} (nothing when {@code tool_choice} forced the call) followed by the
 * {@code tool_use} block, with stop reason {@code tool_use}.
 *
 * @param pieces       delta texts in order; concatenated they are the whole text (empty: no text block)
 * @param outputTokens words in the text, plus the tool call's tokens
 * @param stopReason   {@code end_turn}, {@code max_tokens} or {@code tool_use}
 * @param toolUse      the tool call after the text, or null
 */
record SimulatedReply(List<String> pieces, int outputTokens, String stopReason, ToolCall toolUse) {

    static final String SENTENCE = "This is a simulated reply from Keywarden's fake upstream.";
    static final int ECHO_WORDS = 12;
    static final int SLOW_DELTAS = 200;
    static final int BIG_WORDS_PER_DELTA = 256;
    static final int BIG_MIN_BYTES = 1 << 20;

    private static final String[] WORDS = SENTENCE.split(" ");

    static final String YOU_SAID = "You said:";
    static final String TOOL_RETURNED = "The tool returned:";

    SimulatedReply {
        pieces = List.copyOf(pieces);
    }

    SimulatedReply(List<String> pieces, int outputTokens, String stopReason) {
        this(pieces, outputTokens, stopReason, null);
    }

    /** The answer for a request under a scenario. */
    static SimulatedReply forRequest(MessagesRequest request, Scenario scenario) {
        ToolCall call = ToolCall.decide(request, scenario);
        if (call != null) {
            return toolUse(call);
        }
        return switch (scenario) {
            case SLOW -> Slow.REPLY;
            case BIG -> Big.REPLY;
            default -> request.toolResultText() != null
                    ? ordinary(TOOL_RETURNED, request.toolResultText(), request.maxTokens())
                    : ordinary(YOU_SAID, request.echoText(), request.maxTokens());
        };
    }

    private static SimulatedReply toolUse(ToolCall call) {
        List<String> pieces = new ArrayList<>(4);
        if (!call.forced()) {
            String[] words = ("Calling the " + Echo.safe(call.name(), 64) + " tool.").split(" ");
            for (int i = 0; i < words.length; i++) {
                pieces.add(i == 0 ? words[i] : " " + words[i]);
            }
        }
        return new SimulatedReply(pieces, pieces.size() + call.outputTokens(), "tool_use", call);
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

    private static SimulatedReply ordinary(String label, String echo, int maxTokens) {
        List<String> words = new ArrayList<>(WORDS.length + 3 + ECHO_WORDS);
        for (String w : WORDS) {
            words.add(w);
        }
        List<String> echoed = firstWords(echo, ECHO_WORDS);
        if (!echoed.isEmpty()) {
            words.addAll(List.of(label.split(" ")));
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
