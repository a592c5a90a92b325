package dev.keywarden.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Derives, from a regular expression, literal strings at least one of which every match must
 * contain — a pre-filter so that a rule's regex runs only on text that holds one of them (the
 * same idea as the secret scanner's keywords, but read off the pattern so the rules file cannot
 * get them wrong).
 *
 * <p>Guarantee (soundness): when {@link #of} returns literals, no string matches the pattern
 * without containing one of them, for case-sensitive patterns. It returns empty — "run the regex
 * always" — when some top-level alternative has no element it fully understands that every match
 * must contain: a run of literal characters (a character followed by {@code ?}, {@code *} or
 * <code>{</code> ends the run before it), or a group not made optional whose alternatives each begin
 * with literal text. Of an alternative's required elements the one with the longest shortest
 * literal is used.
 */
final class RequiredLiterals {

    private RequiredLiterals() {
    }

    static Optional<List<String>> of(String regex) {
        List<String> out = new ArrayList<>();
        for (List<List<String>> required : elements(regex)) {
            List<String> best = mostSelective(required);
            if (best == null) {
                return Optional.empty();
            }
            out.addAll(best);
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(out));
    }

    /**
     * For each top-level alternative of {@code regex}, in order, the elements every match of that
     * alternative must contain, each as the list of literals one of which it is (possibly no element).
     * Same soundness guarantee as {@link #of}: a match of the alternative contains, for every element,
     * one of its literals.
     */
    static List<List<List<String>>> elements(String regex) {
        List<List<List<String>>> out = new ArrayList<>();
        for (String alternative : splitAlternatives(regex)) {
            out.add(requiredElements(alternative));
        }
        return out;
    }

    /** Of {@code required}, the element with the longest shortest literal (fewest literals on a tie), or null when empty. */
    static List<String> mostSelective(List<List<String>> required) {
        List<String> best = null;
        for (List<String> candidate : required) {
            if (best == null || selectivity(candidate) > selectivity(best)
                    || (selectivity(candidate) == selectivity(best) && candidate.size() < best.size())) {
                best = candidate;
            }
        }
        return best;
    }

    /**
     * Walks the elements of one alternative (no top-level {@code |}) and returns the literal sets of the
     * elements every match must contain — literal runs, and groups not made optional whose alternatives
     * each begin with literal text ({@code (?:…)} included); look-arounds are stepped over. Stops at anything it does
     * not know (inline flags, named groups, unusual escapes):
     * what it found before is still required.
     */
    private static List<List<String>> requiredElements(String alt) {
        List<List<String>> required = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        int i = 0;
        walk:
        while (i < alt.length()) {
            char c = alt.charAt(i);
            switch (c) {
                case '\\' -> {
                    flush(run, required);
                    if (i + 1 >= alt.length() || "pPQEkxuc0NRXG".indexOf(alt.charAt(i + 1)) >= 0) {
                        break walk;
                    }
                    i = skipQuantifier(alt, i + 2);
                }
                case '[' -> {
                    flush(run, required);
                    int close = closingBracket(alt, i);
                    if (close < 0) {
                        break walk;
                    }
                    i = skipQuantifier(alt, close + 1);
                }
                case '(' -> {
                    flush(run, required);
                    boolean lookaround = alt.startsWith("(?=", i) || alt.startsWith("(?!", i)
                            || alt.startsWith("(?<=", i) || alt.startsWith("(?<!", i);
                    int body = alt.startsWith("(?:", i) ? i + 3 : i + 1;
                    if (alt.startsWith("(?", i) && body == i + 1 && !lookaround) {
                        break walk; // inline flags, named groups: not read here
                    }
                    int close = matchingParen(alt.substring(i));
                    if (close < 0) {
                        break walk;
                    }
                    close += i;
                    boolean optional = lookaround || optionalQuantifier(alt, close + 1); // a look-around consumes nothing
                    if (!optional) {
                        List<String> lits = new ArrayList<>();
                        boolean all = true;
                        for (String inner : splitAlternatives(alt.substring(body, close))) {
                            all &= leading(inner, lits);
                        }
                        if (all && !lits.isEmpty()) {
                            required.add(lits);
                        }
                    }
                    i = skipQuantifier(alt, close + 1);
                }
                case '.', '^', '$' -> {
                    flush(run, required);
                    i = skipQuantifier(alt, i + 1);
                }
                case ')', '|', '?', '*', '+', '{' -> {
                    break walk; // not expected here; stop rather than guess
                }
                default -> {
                    if (i + 1 < alt.length() && "?*{".indexOf(alt.charAt(i + 1)) >= 0) {
                        flush(run, required); // this character may be absent
                        i = skipQuantifier(alt, i + 1);
                    } else if (i + 1 < alt.length() && alt.charAt(i + 1) == '+') {
                        run.append(c);
                        flush(run, required); // repeated: what follows is not contiguous with it
                        i = skipQuantifier(alt, i + 1);
                    } else {
                        run.append(c);
                        i++;
                    }
                }
            }
        }
        flush(run, required);
        return required;
    }

    /** The length of the shortest literal: longer literals occur in fewer texts. */
    private static int selectivity(List<String> literals) {
        return literals.stream().mapToInt(String::length).min().orElse(0);
    }

    private static void flush(StringBuilder run, List<List<String>> required) {
        if (!run.isEmpty()) {
            required.add(List.of(run.toString()));
            run.setLength(0);
        }
    }

    /** Whether the quantifier at {@code i} (if any) lets the element before it be absent. */
    private static boolean optionalQuantifier(String s, int i) {
        if (i >= s.length()) {
            return false;
        }
        char q = s.charAt(i);
        return q == '?' || q == '*' || (q == '{' && s.startsWith("{0", i)) || (q == '{' && s.startsWith("{,", i));
    }

    /** Index after the quantifier at {@code i} (with a lazy or possessive suffix), or {@code i} when none. */
    static int skipQuantifier(String s, int i) {
        if (i >= s.length()) {
            return i;
        }
        char q = s.charAt(i);
        if (q == '?' || q == '*' || q == '+') {
            i++;
        } else if (q == '{') {
            int close = s.indexOf('}', i);
            i = close < 0 ? s.length() : close + 1;
        } else {
            return i;
        }
        if (i < s.length() && (s.charAt(i) == '?' || s.charAt(i) == '+')) {
            i++;
        }
        return i;
    }

    /** Index of the {@code ]} closing the character class opened at {@code open}, or -1. */
    static int closingBracket(String s, int open) {
        int i = open + 1;
        if (i < s.length() && s.charAt(i) == '^') {
            i++;
        }
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                return -1; // nested classes: not handled
            } else if (c == ']') {
                return i;
            }
        }
        return -1;
    }

    /** Adds the literals one of which begins every match of {@code alternative}; false when it cannot tell. */
    private static boolean leading(String alternative, List<String> out) {
        String s = alternative.startsWith("\\b") ? alternative.substring(2) : alternative;
        if (s.startsWith("(")) {
            int body = s.startsWith("(?:") ? 3 : 1;
            if (s.startsWith("(?") && body == 1) {
                return false;
            }
            int close = matchingParen(s);
            if (close < 0) {
                return false;
            }
            if (close + 1 < s.length() && "?*{".indexOf(s.charAt(close + 1)) >= 0) {
                return false; // the group may be absent
            }
            for (String inner : splitAlternatives(s.substring(body, close))) {
                if (!leading(inner, out)) {
                    return false;
                }
            }
            return true;
        }
        String literal = literalPrefix(s);
        if (literal.isEmpty()) {
            return false;
        }
        out.add(literal);
        return true;
    }

    /** The plain characters at the start of {@code s}, minus a last one made optional or repeatable by a quantifier. */
    static String literalPrefix(String s) {
        int i = 0;
        while (i < s.length() && plain(s.charAt(i))) {
            i++;
        }
        if (i < s.length() && i > 0 && "?*{".indexOf(s.charAt(i)) >= 0) {
            i--;
        }
        return s.substring(0, i);
    }

    private static boolean plain(char c) {
        return "\\[](){}.*+?|^$".indexOf(c) < 0;
    }

    /** Splits on {@code |} outside groups, character classes and escapes. */
    static List<String> splitAlternatives(String regex) {
        List<String> parts = new ArrayList<>();
        int[] start = {0};
        walk(regex, 0, bar -> {
            parts.add(regex.substring(start[0], bar));
            start[0] = bar + 1;
        });
        parts.add(regex.substring(start[0]));
        return parts;
    }

    /** Index of the parenthesis closing the one at index 0, or -1. */
    static int matchingParen(String s) {
        return walk(s, 1, bar -> { });
    }

    /**
     * Walks {@code s} from {@code from}, skipping escapes, character classes and nested groups; reports
     * each {@code |} at the starting depth to {@code topLevelBar} and returns the index of the first
     * {@code )} that closes the starting depth, or -1 when the text ends first.
     */
    private static int walk(String s, int from, java.util.function.IntConsumer topLevelBar) {
        int depth = 0;
        boolean inClass = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (c == '|' && depth == 0) {
                topLevelBar.accept(i);
            }
        }
        return -1;
    }
}
