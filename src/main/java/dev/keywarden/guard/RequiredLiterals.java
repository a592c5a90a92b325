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
 * always" — for any shape it does not fully understand: each top-level alternative must begin
 * (after an optional {@code \b}) with literal text or with a group, not followed by {@code ?},
 * {@code *} or <code>{</code>, whose alternatives each begin with literal text. A literal character
 * followed by {@code ?}, {@code *} or <code>{</code> ends the literal before it.
 */
final class RequiredLiterals {

    private RequiredLiterals() {
    }

    static Optional<List<String>> of(String regex) {
        List<String> out = new ArrayList<>();
        for (String alternative : splitAlternatives(regex)) {
            if (!leading(alternative, out)) {
                return Optional.empty();
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(out));
    }

    /** Adds the literals one of which begins every match of {@code alternative}; false when it cannot tell. */
    private static boolean leading(String alternative, List<String> out) {
        String s = alternative.startsWith("\\b") ? alternative.substring(2) : alternative;
        if (s.startsWith("(")) {
            if (s.startsWith("(?")) {
                return false;
            }
            int close = matchingParen(s);
            if (close < 0) {
                return false;
            }
            if (close + 1 < s.length() && "?*{".indexOf(s.charAt(close + 1)) >= 0) {
                return false; // the group may be absent
            }
            for (String inner : splitAlternatives(s.substring(1, close))) {
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
        int depth = 0;
        boolean inClass = false;
        int start = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
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
                depth--;
            } else if (c == '|' && depth == 0) {
                parts.add(regex.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(regex.substring(start));
        return parts;
    }

    /** Index of the parenthesis closing the one at index 0, or -1. */
    private static int matchingParen(String s) {
        int depth = 0;
        boolean inClass = false;
        for (int i = 0; i < s.length(); i++) {
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
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }
}
