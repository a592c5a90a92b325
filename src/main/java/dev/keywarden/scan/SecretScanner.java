package dev.keywarden.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;

/**
 * Applies a {@link RuleSet} to text. For each fragment the text is lower-cased once and each
 * rule's keywords are looked up with {@code indexOf}; a rule's regex runs only when one of its
 * keywords occurs (the pre-filter that keeps scanning fast). A candidate becomes a
 * {@link Finding} unless the path or secret is allow-listed, its entropy or offline validator
 * rejects it, or its line carries the inline marker {@value #ALLOW_MARKER}. Rules are applied in
 * order and a candidate overlapping one already found by an earlier rule is dropped, so a key is
 * reported once, by its most specific rule (the generic rule comes last). Thread-safe.
 */
public final class SecretScanner {

    /** A line containing this is never reported. */
    public static final String ALLOW_MARKER = "keywarden:allow";

    private final RuleSet rules;

    public SecretScanner(RuleSet rules) {
        this.rules = rules;
    }

    public RuleSet rules() {
        return rules;
    }

    /** True when no finding can come from {@code path} (the shared allow-list exempts it). */
    public boolean skipsPath(String path) {
        return rules.allowlist().allowsPath(path);
    }

    /** The findings in one fragment, in order of position. */
    public List<Finding> scan(Fragment fragment) {
        String text = fragment.text();
        if (text.isEmpty() || skipsPath(fragment.path())) {
            return List.of();
        }
        String lower = text.toLowerCase(Locale.ROOT);
        List<Finding> found = null;
        List<int[]> spans = null;
        for (Rule rule : rules.rules()) {
            if (!containsKeyword(lower, rule) || rule.allowlist().allowsPath(fragment.path())) {
                continue;
            }
            Matcher m = rule.regex().matcher(text);
            while (m.find()) {
                int start = m.start(rule.secretGroup());
                String secret = m.group(rule.secretGroup());
                if (secret == null || secret.isEmpty() || !rule.accepts(secret) || rules.allowlist().allowsSecret(secret)) {
                    continue;
                }
                int end = m.end(rule.secretGroup());
                if (lineHasAllowMarker(text, start, end) || overlaps(spans, start, end)) {
                    continue;
                }
                int[] lineCol = lineAndColumn(text, start);
                if (found == null) {
                    found = new ArrayList<>();
                    spans = new ArrayList<>();
                }
                spans.add(new int[] {start, end});
                found.add(Finding.of(rule, secret, fragment.path(), fragment.firstLine() + lineCol[0], lineCol[1], fragment.commit()));
            }
        }
        if (found == null) {
            return List.of();
        }
        found.sort(java.util.Comparator.comparingInt(Finding::line).thenComparingInt(Finding::column));
        return found;
    }

    private static boolean overlaps(List<int[]> spans, int start, int end) {
        if (spans != null) {
            for (int[] span : spans) {
                if (start < span[1] && span[0] < end) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean containsKeyword(String lowerText, Rule rule) {
        for (String k : rule.keywords()) {
            if (lowerText.contains(k)) {
                return true;
            }
        }
        return false;
    }

    /** True when a line spanned by [start, end) contains the inline allow marker. */
    private static boolean lineHasAllowMarker(String text, int start, int end) {
        int lineStart = text.lastIndexOf('\n', start - 1) + 1;
        int lineEnd = text.indexOf('\n', Math.max(end - 1, start));
        if (lineEnd < 0) {
            lineEnd = text.length();
        }
        int at = text.indexOf(ALLOW_MARKER, lineStart);
        return at >= 0 && at + ALLOW_MARKER.length() <= lineEnd;
    }

    /** {0-based line offset, 1-based column} of {@code offset}. */
    private static int[] lineAndColumn(String text, int offset) {
        int line = 0;
        int lineStart = 0;
        for (int i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
            line++;
            lineStart = i + 1;
        }
        return new int[] {line, offset - lineStart + 1};
    }
}
