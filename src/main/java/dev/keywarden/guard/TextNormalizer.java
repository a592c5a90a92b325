package dev.keywarden.guard;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;

/**
 * Undoes the common ways of hiding an instruction from a pattern screen, producing lower-case
 * variants of a text for {@link InjectionScorer}: NFKC (full-width and other compatibility forms),
 * zero-width and invisible characters removed, Cyrillic and Greek look-alikes folded to Latin,
 * whitespace runs collapsed to one space (or one line break when the run holds one)
 * ({@link Normalized#plain}); leetspeak folded ({@link Normalized#leet}); letters spelled out one by one
 * joined ({@link Normalized#joined}); base64 segments decoded ({@link Normalized#decoded}). Also reports
 * which obfuscations it saw.
 *
 * <p>Cost: every step is one left-to-right pass (no regular expression, no backtracking), so the time
 * is linear in the length of the text; at most {@value #MAX_CHARS} characters are read, at most
 * {@value #MAX_DECODED} base64 segments are decoded.
 */
final class TextNormalizer {

    /**
     * The variants of one text and the obfuscation signals found.
     *
     * @param leet    {@link #plain} with leetspeak folded; the same instance as {@code plain} when nothing changed
     * @param leetChanged the positions where {@code leet} differs from {@code plain}
     * @param joined  null unless spaced-out letters were joined
     * @param runs    the characters of {@code joined} that came from spaced-out letters (empty when none)
     * @param decoded decoded base64 segments (normalised), empty when none
     */
    record Normalized(String plain, String leet, BitSet leetChanged, String joined, BitSet runs, List<String> decoded,
                      boolean zeroWidth, boolean mixedScript) {

        /**
         * Letters and digits only of {@link #joined} (null when nothing was joined), and which of them came
         * from spaced-out letters: a phrase spelled out letter by letter lost its word boundaries.
         */
        Squashed squashed() {
            if (joined == null) {
                return null;
            }
            StringBuilder sb = new StringBuilder(joined.length());
            BitSet fromRuns = new BitSet();
            for (int i = 0; i < joined.length(); i++) {
                char c = joined.charAt(i);
                if (Character.isLetterOrDigit(c)) {
                    if (runs.get(i)) {
                        fromRuns.set(sb.length());
                    }
                    sb.append(c);
                }
            }
            return new Squashed(sb.toString(), fromRuns);
        }
    }

    /** Letters and digits of a joined text, and which came from spaced-out letters. */
    record Squashed(String text, BitSet fromRuns) {
        /** Whether [from, to) holds a character from spaced-out letters. */
        boolean touchesRun(int from, int to) {
            int i = fromRuns.nextSetBit(from);
            return i >= 0 && i < to;
        }
    }

    static final int MAX_CHARS = 200_000;
    static final int MAX_DECODED = 16;
    private static final int MIN_BASE64 = 16;

    private TextNormalizer() {
    }

    static Normalized normalize(String raw) {
        String text = raw.length() > MAX_CHARS ? raw.substring(0, MAX_CHARS) : raw;
        String nfkc = Normalizer.normalize(text, Normalizer.Form.NFKC);
        boolean[] zeroWidth = {false};
        String visible = removeInvisible(nfkc, zeroWidth);
        boolean[] mixed = {false};
        String plain = canonical(visible, mixed);
        BitSet leetChanged = new BitSet();
        String leet = foldLeet(plain, leetChanged);
        BitSet runs = new BitSet();
        String joined = joinSpacedLetters(plain, runs);
        List<String> decoded = decodeBase64(visible);
        return new Normalized(plain, leet, leetChanged, joined == plain ? null : joined, runs, decoded, zeroWidth[0], mixed[0]);
    }

    /** Zero-width, bidi-control and other invisible format characters. */
    static boolean invisible(char c) {
        return c == '\u00AD' || c == '\u034F' || c == '\u061C' || c == '\u115F' || c == '\u1160' || c == '\u17B4'
                || c == '\u17B5' || (c >= '\u180B' && c <= '\u180E') || (c >= '\u200B' && c <= '\u200F')
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2060' && c <= '\u2064') || (c >= '\u206A' && c <= '\u206F')
                || (c >= '\uFE00' && c <= '\uFE0F') || c == '\uFEFF';
    }

    /** {@code s} without invisible characters; {@code insideWord[0]} set when one stood between two letters. */
    private static String removeInvisible(String s, boolean[] insideWord) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!invisible(c)) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (i > 0 && i + 1 < s.length() && Character.isLetter(s.charAt(i - 1)) && Character.isLetter(s.charAt(i + 1))) {
                insideWord[0] = true;
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** Cyrillic and Greek letters drawn like Latin ones, and their Latin readings (same index). */
    private static final String CONFUSABLES = "аеорсухіјѕԁɡһӏԛԝвкмнтАВЕКМНОРСТХУІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ";
    private static final String LATIN       = "aeopcyxijsdghlqwbkmhtABEKMHOPCTXYIJSabeiknoptuxABEZHIKMNOPTYX";

    /**
     * Lower case; look-alike letters folded to Latin inside words written to look Latin (words holding
     * a Latin letter, or made only of look-alikes — words of real Cyrillic or Greek text stay as they are);
     * each whitespace run one space, or one line break when it holds one; no leading or trailing
     * whitespace. {@code mixed[0]} is set when a word mixes Latin letters with look-alikes.
     */
    static String canonical(String s, boolean[] mixed) {
        StringBuilder sb = new StringBuilder(s.length());
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                boolean lineBreak = false;
                while (i < n && Character.isWhitespace(s.charAt(i))) {
                    char w = s.charAt(i++);
                    lineBreak |= w == '\n' || w == '\r' || w == '\u2028' || w == '\u2029' || w == '\u000B' || w == '\f';
                }
                if (!sb.isEmpty() && i < n) {
                    sb.append(lineBreak ? '\n' : ' ');
                }
                continue;
            }
            if (!Character.isLetter(c)) {
                sb.append(Character.toLowerCase(c));
                i++;
                continue;
            }
            int end = i;
            boolean latin = false;
            boolean foreign = false;
            boolean lookalike = false;
            while (end < n && Character.isLetter(s.charAt(end))) {
                char w = s.charAt(end++);
                if (w < 0x80) {
                    latin = true;
                } else if (CONFUSABLES.indexOf(w) >= 0) {
                    lookalike = true;
                } else {
                    foreign = true;
                }
            }
            mixed[0] |= latin && lookalike;
            boolean fold = lookalike && (latin || !foreign);
            for (; i < end; i++) {
                char w = s.charAt(i);
                int k = fold && w >= 0x80 ? CONFUSABLES.indexOf(w) : -1;
                sb.append(Character.toLowerCase(k >= 0 ? LATIN.charAt(k) : w));
            }
        }
        return sb.toString();
    }

    /**
     * Digits and symbols standing for letters inside words (1gn0r3 → ignore); {@code s} itself when none.
     * Only inside a word with a letter, and a symbol ({@code ! | + @ $}) only between two letters or digits
     * ({@code @} and {@code $} also at the start of a word): numbers, dates and code such as "2026-12-07",
     * "200 ms" or "i++" are left alone, so ordinary text needs the folded variant searched less often.
     */
    static String foldLeet(String s) {
        return foldLeet(s, new BitSet());
    }

    private static char leet(char c) {
        return switch (c) {
            case '0' -> 'o';
            case '1', '!', '|' -> 'i';
            case '3' -> 'e';
            case '4', '@' -> 'a';
            case '5', '$' -> 's';
            case '7', '+' -> 't';
            case '8' -> 'b';
            case '9' -> 'g';
            default -> c;
        };
    }

    /** Whether the symbol at {@code k} of the word [from, end) stands between two letters or digits ({@code @ $}: or starts the word). */
    private static boolean symbolInWord(String s, int k, int from, int end) {
        boolean after = k + 1 < end && Character.isLetterOrDigit(s.charAt(k + 1));
        boolean before = k > from && Character.isLetterOrDigit(s.charAt(k - 1));
        char c = s.charAt(k);
        return after && (before || c == '@' || c == '$');
    }

    /** As {@link #foldLeet(String)}, marking the changed positions in {@code changed}. */
    static String foldLeet(String s, BitSet changed) {
        char[] out = null;
        int n = s.length();
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            if (!Character.isLetterOrDigit(c) && leet(c) == c) {
                i++;
                continue;
            }
            // a word: letters, digits and leet symbols
            int end = i;
            int letters = 0;
            boolean folds = false;
            for (; end < n; end++) {
                char w = s.charAt(end);
                boolean symbol = leet(w) != w;
                if (!Character.isLetterOrDigit(w) && !symbol) {
                    break;
                }
                if (Character.isLetter(w)) {
                    letters++;
                }
                folds |= symbol;
            }
            if (letters >= 1 && folds) {
                for (int k = i; k < end; k++) {
                    char w = s.charAt(k);
                    char r = leet(w);
                    if (r != w && (Character.isDigit(w) || symbolInWord(s, k, i, end))) {
                        if (out == null) {
                            out = s.toCharArray();
                        }
                        out[k] = r;
                        changed.set(k);
                    }
                }
            }
            i = end;
        }
        return out == null ? s : new String(out);
    }

    private static boolean spacer(char c) {
        return c == ' ' || c == '.' || c == '_' || c == '*' || c == '-';
    }

    /**
     * Joins four or more single letters separated by one space, dot, dash, underscore or asterisk
     * ("i g n o r e" → "ignore"), marking the joined characters in {@code runs}; {@code s} itself when
     * there are none. One pass: a run is extended letter by letter and never re-read.
     */
    static String joinSpacedLetters(String s) {
        return joinSpacedLetters(s, new BitSet());
    }

    private static String joinSpacedLetters(String s, BitSet runs) {
        int n = s.length();
        StringBuilder sb = null;
        int copied = 0;
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            boolean start = Character.isLetter(c) && (i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1)));
            if (!start) {
                i++;
                continue;
            }
            // walk letter, spacer, letter, … while each letter stands alone
            int last = -1; // the last single letter that may end a run
            int letters = 0;
            int k = i;
            while (k < n && Character.isLetter(s.charAt(k)) && (k + 1 == n || !Character.isLetterOrDigit(s.charAt(k + 1)))) {
                last = k;
                letters++;
                if (k + 2 < n && spacer(s.charAt(k + 1)) && Character.isLetter(s.charAt(k + 2))) {
                    k += 2;
                } else {
                    break;
                }
            }
            if (letters < 4) {
                i = Math.max(i + 1, last + 1);
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(n);
            }
            sb.append(s, copied, i);
            for (int j = i; j <= last; j += 2) {
                runs.set(sb.length());
                sb.append(s.charAt(j));
            }
            copied = last + 1;
            i = last + 1;
        }
        return sb == null ? s : sb.append(s, copied, n).toString();
    }

    private static boolean base64Char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '_' || c == '-';
    }

    /**
     * Base64 (standard or URL alphabet) segments of at least {@value #MIN_BASE64} characters that decode
     * to mostly printable text with a space, normalised; at most {@value #MAX_DECODED} segments are decoded
     * (runs of letters only are words, not base64, and do not count).
     */
    private static List<String> decodeBase64(String s) {
        List<String> out = new ArrayList<>(0);
        int n = s.length();
        int budget = MAX_DECODED;
        int i = 0;
        while (i < n && budget > 0) {
            if (!base64Char(s.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            boolean nonLetter = false;
            while (i < n && base64Char(s.charAt(i))) {
                nonLetter |= !Character.isLetter(s.charAt(i));
                i++;
            }
            if (i - start < MIN_BASE64 || !nonLetter) {
                continue;
            }
            budget--;
            String decoded = decode(s.substring(start, i));
            if (decoded != null) {
                out.add(canonical(decoded, new boolean[1]));
            }
        }
        return out;
    }

    /** The text a base64 segment decodes to, when it is mostly printable and holds a space; else null. */
    private static String decode(String segment) {
        String t = segment.replace('-', '+').replace('_', '/');
        if (t.length() % 4 == 1) {
            t = t.substring(0, t.length() - 1);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        int printable = 0;
        boolean space = false;
        for (int k = 0; k < decoded.length(); k++) {
            char c = decoded.charAt(k);
            if (c >= 0x20 && c < 0x7F || c == '\n' || c == '\t' || c > 0xA0 && c != 0xFFFD) {
                printable++;
            }
            space |= c == ' ';
        }
        return decoded.length() >= 8 && printable >= decoded.length() * 0.9 && space ? decoded : null;
    }
}
