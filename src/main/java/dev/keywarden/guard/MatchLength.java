package dev.keywarden.guard;

/**
 * An upper bound on the length (in {@code char}s) of any match of a regular expression, read off the
 * pattern — what lets {@link RuleIndex} confirm a rule in a window around one of its literals instead
 * of searching the whole text, with exactly the same result.
 *
 * <p>Guarantee (soundness): no match of the pattern is longer than {@link #of}; {@link #UNBOUNDED} when
 * the pattern can match arbitrarily long text ({@code *}, {@code +}, <code>{n,}</code>, back-references)
 * or uses a construct this reader does not know. Classes, {@code .} and class escapes ({@code \w},
 * {@code \s}, …) that can match a supplementary code point count two {@code char}s (a surrogate pair);
 * look-arounds, anchors and {@code \b} count none.
 */
final class MatchLength {

    static final int UNBOUNDED = Integer.MAX_VALUE;

    private MatchLength() {
    }

    static int of(String regex) {
        int[] at = {0};
        int n = alternation(regex, at);
        return at[0] == regex.length() ? n : UNBOUNDED; // an unmatched ')' : not understood
    }

    /** Alternatives from {@code at[0]} up to a closing {@code )} (not consumed) or the end: their maximum. */
    private static int alternation(String s, int[] at) {
        int max = 0;
        int seq = 0;
        while (at[0] < s.length()) {
            char c = s.charAt(at[0]);
            if (c == ')') {
                break;
            }
            if (c == '|') {
                max = Math.max(max, seq);
                seq = 0;
                at[0]++;
                continue;
            }
            int atom = atom(s, at);
            if (atom == UNBOUNDED) {
                return UNBOUNDED;
            }
            int times = quantifier(s, at);
            if (times == UNBOUNDED && atom > 0) {
                return UNBOUNDED;
            }
            seq = add(seq, times == UNBOUNDED ? 0 : multiply(atom, times));
            if (seq == UNBOUNDED) {
                return UNBOUNDED;
            }
        }
        return Math.max(max, seq);
    }

    /** The maximum length of the atom at {@code at[0]}, which it consumes (not its quantifier). */
    private static int atom(String s, int[] at) {
        int i = at[0];
        char c = s.charAt(i);
        switch (c) {
            case '\\' -> {
                if (i + 1 >= s.length()) {
                    return UNBOUNDED;
                }
                char e = s.charAt(i + 1);
                at[0] = i + 2;
                if ("bBAzZG".indexOf(e) >= 0) {
                    return 0;
                }
                if (e == 'p' || e == 'P') {
                    if (at[0] < s.length() && s.charAt(at[0]) == '{') {
                        int close = s.indexOf('}', at[0]);
                        if (close < 0) {
                            return UNBOUNDED;
                        }
                        at[0] = close + 1;
                    } else {
                        at[0]++;
                    }
                    return 2;
                }
                if ("sSwWdDXRhHvV".indexOf(e) >= 0) {
                    return 2; // with UNICODE_CHARACTER_CLASS even \w may match a supplementary code point
                }
                if (e == 'Q' || e == 'k' || e == 'x' || e == 'c' || e == 'N' || Character.isDigit(e)) {
                    return UNBOUNDED; // quoting, back-references, code points: not read here
                }
                if (e == 'u') {
                    at[0] = Math.min(s.length(), at[0] + 4);
                }
                return 1;
            }
            case '[' -> {
                int close = RequiredLiterals.closingBracket(s, i);
                if (close < 0) {
                    return UNBOUNDED;
                }
                at[0] = close + 1;
                String body = s.substring(i + 1, close);
                boolean wide = body.startsWith("^") || body.contains("\\p") || body.contains("\\P")
                        || body.contains("\\S") || body.contains("\\W") || body.contains("\\D")
                        || body.chars().anyMatch(ch -> Character.isSurrogate((char) ch));
                return wide ? 2 : 1;
            }
            case '(' -> {
                int[] inner = {i + 1};
                boolean lookaround = false;
                if (s.startsWith("(?", i)) {
                    if (s.startsWith("(?:", i)) {
                        inner[0] = i + 3;
                    } else if (s.startsWith("(?=", i) || s.startsWith("(?!", i)) {
                        inner[0] = i + 3;
                        lookaround = true;
                    } else if (s.startsWith("(?<=", i) || s.startsWith("(?<!", i)) {
                        inner[0] = i + 4;
                        lookaround = true;
                    } else {
                        // inline flags "(?i)" / "(?i:" — or a named group, not read here
                        int j = i + 2;
                        while (j < s.length() && (Character.isLetter(s.charAt(j)) || s.charAt(j) == '-')) {
                            j++;
                        }
                        if (j < s.length() && s.charAt(j) == ')') {
                            at[0] = j + 1;
                            return 0;
                        }
                        if (j >= s.length() || s.charAt(j) != ':') {
                            return UNBOUNDED;
                        }
                        inner[0] = j + 1;
                    }
                }
                int n = alternation(s, inner);
                if (inner[0] >= s.length() || s.charAt(inner[0]) != ')') {
                    return UNBOUNDED;
                }
                at[0] = inner[0] + 1;
                return lookaround ? 0 : n;
            }
            case '.' -> {
                at[0] = i + 1;
                return 2;
            }
            case '^', '$' -> {
                at[0] = i + 1;
                return 0;
            }
            case '?', '*', '+', '{' -> {
                return UNBOUNDED; // a quantifier without an atom: not understood
            }
            default -> {
                at[0] = i + 1;
                return 1;
            }
        }
    }

    /** How many times the atom before {@code at[0]} may repeat at most (1 without a quantifier); consumes the quantifier. */
    private static int quantifier(String s, int[] at) {
        int i = at[0];
        if (i >= s.length()) {
            return 1;
        }
        char q = s.charAt(i);
        int times;
        if (q == '?') {
            times = 1;
        } else if (q == '*' || q == '+') {
            times = UNBOUNDED;
        } else if (q == '{') {
            int close = s.indexOf('}', i);
            if (close < 0) {
                return UNBOUNDED;
            }
            String body = s.substring(i + 1, close);
            int comma = body.indexOf(',');
            try {
                if (comma < 0) {
                    times = Integer.parseInt(body.strip());
                } else if (body.substring(comma + 1).isBlank()) {
                    times = UNBOUNDED;
                } else {
                    times = Integer.parseInt(body.substring(comma + 1).strip());
                }
            } catch (NumberFormatException e) {
                return UNBOUNDED;
            }
        } else {
            return 1;
        }
        at[0] = RequiredLiterals.skipQuantifier(s, i);
        return times;
    }

    private static int add(int a, int b) {
        long r = (long) a + b;
        return r >= UNBOUNDED ? UNBOUNDED : (int) r;
    }

    private static int multiply(int a, int b) {
        long r = (long) a * b;
        return r >= UNBOUNDED ? UNBOUNDED : (int) r;
    }
}
