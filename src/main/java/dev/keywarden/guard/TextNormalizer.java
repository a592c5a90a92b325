package dev.keywarden.guard;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Undoes the common ways of hiding an instruction from a pattern screen, producing lower-case
 * variants of a text for {@link InjectionScorer}: NFKC (full-width and other compatibility forms),
 * zero-width and invisible characters removed, Cyrillic and Greek look-alikes folded to Latin,
 * whitespace collapsed ({@link Normalized#plain}); leetspeak folded ({@link Normalized#leet});
 * letters spelled out one by one joined ({@link Normalized#joined}); base64 segments decoded
 * ({@link Normalized#decoded}). Also reports which obfuscations it saw.
 */
final class TextNormalizer {

    /**
     * The variants of one text and the obfuscation signals found.
     *
     * @param joined  null unless spaced-out letters were joined
     * @param decoded decoded base64 segments (normalised), empty when none
     */
    record Normalized(String plain, String leet, String joined, List<String> decoded, boolean zeroWidth, boolean mixedScript) {
        /** Letters and digits only of {@link #joined} (null when nothing was joined). */
        String squashed() {
            return joined == null ? null : joined.replaceAll("[^\\p{L}\\p{N}]", "");
        }
    }

    private static final Pattern INVISIBLE = Pattern.compile("[\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180E"
            + "\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u206A-\\u206F\\uFE00-\\uFE0F\\uFEFF]");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** Four or more single letters separated by one space, dot, dash, underscore or asterisk: "i g n o r e". */
    private static final Pattern SPACED = Pattern.compile("(?<![\\p{L}\\p{N}])(?:\\p{L}[ ._*\\-]){3,}\\p{L}(?![\\p{L}\\p{N}])");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{16,}={0,2}");
    private static final Pattern WORD = Pattern.compile("\\p{L}+");
    private static final int MAX_CHARS = 200_000;

    private TextNormalizer() {
    }

    static Normalized normalize(String raw) {
        String text = raw.length() > MAX_CHARS ? raw.substring(0, MAX_CHARS) : raw;
        String nfkc = Normalizer.normalize(text, Normalizer.Form.NFKC);
        String visible = INVISIBLE.matcher(nfkc).replaceAll("");
        boolean zeroWidth = visible.length() != nfkc.length() && hasInvisibleInsideWord(nfkc);
        boolean mixed = mixedScriptWord(visible);
        String folded = foldConfusables(visible);
        String plain = SPACES.matcher(folded.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
        String leet = foldLeet(plain);
        String joined = joinSpacedLetters(plain);
        List<String> decoded = decodeBase64(visible);
        return new Normalized(plain, leet, joined.equals(plain) ? null : joined, decoded, zeroWidth, mixed);
    }

    private static boolean hasInvisibleInsideWord(String s) {
        Matcher m = INVISIBLE.matcher(s);
        while (m.find()) {
            int i = m.start();
            if (i > 0 && i + 1 < s.length() && Character.isLetter(s.charAt(i - 1)) && Character.isLetter(s.charAt(i + 1))) {
                return true;
            }
        }
        return false;
    }

    /** A word holding both Latin letters and Cyrillic/Greek letters that look Latin. */
    private static boolean mixedScriptWord(String s) {
        Matcher m = WORD.matcher(s);
        while (m.find()) {
            boolean latin = false;
            boolean lookalike = false;
            for (int i = m.start(); i < m.end(); i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    latin = true;
                } else if (CONFUSABLES.indexOf(c) >= 0) {
                    lookalike = true;
                }
            }
            if (latin && lookalike) {
                return true;
            }
        }
        return false;
    }

    /** Cyrillic and Greek letters drawn like Latin ones, and their Latin readings (same index). */
    private static final String CONFUSABLES = "аеорсухіјѕԁɡһӏԛԝвкмнтАВЕКМНОРСТХУІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ";
    private static final String LATIN       = "aeopcyxijsdghlqwbkmhtABEKMHOPCTXYIJSabeiknoptuxABEZHIKMNOPTYX";

    /**
     * Folds look-alike letters to Latin inside words that are written to look Latin: words holding a
     * Latin letter, or made only of look-alikes. Words of real Cyrillic or Greek text stay as they are.
     */
    static String foldConfusables(String s) {
        Matcher m = WORD.matcher(s);
        StringBuilder sb = null;
        int at = 0;
        while (m.find()) {
            boolean latin = false;
            boolean foreign = false;
            boolean lookalike = false;
            for (int i = m.start(); i < m.end(); i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    latin = true;
                } else if (CONFUSABLES.indexOf(c) >= 0) {
                    lookalike = true;
                } else {
                    foreign = true;
                }
            }
            if (!lookalike || (foreign && !latin)) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(s.length());
            }
            sb.append(s, at, m.start());
            for (int i = m.start(); i < m.end(); i++) {
                char c = s.charAt(i);
                int k = c < 0x80 ? -1 : CONFUSABLES.indexOf(c);
                sb.append(k >= 0 ? LATIN.charAt(k) : c);
            }
            at = m.end();
        }
        return sb == null ? s : sb.append(s, at, s.length()).toString();
    }

    /** Digits and symbols standing for letters inside words (1gn0r3 → ignore). */
    static String foldLeet(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean inWord = (i > 0 && Character.isLetterOrDigit(s.charAt(i - 1)))
                    || (i + 1 < s.length() && Character.isLetterOrDigit(s.charAt(i + 1)));
            char r = !inWord ? c : switch (c) {
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
            sb.append(r);
        }
        return sb.toString();
    }

    static String joinSpacedLetters(String s) {
        Matcher m = SPACED.matcher(s);
        if (!m.find()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int at = 0;
        do {
            sb.append(s, at, m.start());
            String run = m.group();
            StringBuilder word = new StringBuilder();
            for (int i = 0; i < run.length(); i += 2) {
                word.append(run.charAt(i));
            }
            sb.append(word);
            at = m.end();
        } while (m.find());
        return sb.append(s, at, s.length()).toString();
    }

    /** Base64 (standard or URL alphabet) segments that decode to mostly printable text, normalised. */
    private static List<String> decodeBase64(String s) {
        List<String> out = new ArrayList<>(0);
        Matcher m = BASE64.matcher(s);
        int budget = 16;
        while (m.find() && budget-- > 0) {
            String seg = m.group();
            if (seg.chars().allMatch(Character::isLetter)) {
                continue; // a long word, not base64
            }
            byte[] bytes;
            try {
                String t = seg.replace('-', '+').replace('_', '/').replace("=", "");
                if (t.length() % 4 == 1) {
                    t = t.substring(0, t.length() - 1);
                }
                bytes = Base64.getDecoder().decode(t);
            } catch (IllegalArgumentException e) {
                continue;
            }
            String decoded = new String(bytes, StandardCharsets.UTF_8);
            long printable = decoded.chars().filter(c -> c >= 0x20 && c < 0x7F || c == '\n' || c == '\t' || c > 0xA0 && c != 0xFFFD).count();
            if (decoded.length() >= 8 && printable >= decoded.length() * 0.9 && decoded.chars().filter(c -> c == ' ').count() >= 1) {
                out.add(SPACES.matcher(foldConfusables(decoded).toLowerCase(Locale.ROOT)).replaceAll(" ").strip());
            }
        }
        return out;
    }
}
