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
        Hits hits = new Hits();
        for (Rule rule : rules.rules()) {
            if (rule.allowlist().allowsPath(fragment.path())) {
                continue;
            }
            apply(rule, fragment, text, lower, hits);
        }
        if (hits.findings.isEmpty()) {
            return List.of();
        }
        hits.findings.sort(java.util.Comparator.comparingInt(Finding::line).thenComparingInt(Finding::column));
        return hits.findings;
    }

    /**
     * Runs one rule over {@code text}: the whole text for a multi-line rule that has a keyword in it,
     * else each line holding one of its keywords (the keyword pre-filter before any regex).
     */
    private void apply(Rule rule, Fragment fragment, String text, String lower, Hits hits) {
        if (rule.multiline()) {
            if (containsKeyword(lower, rule)) {
                collect(rule, fragment, 0, text.length(), hits);
            }
            return;
        }
        int[] lines = keywordLines(lower, rule);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0 && lines[i] == lines[i - 1]) {
                continue;
            }
            int lineEnd = text.indexOf('\n', lines[i]);
            collect(rule, fragment, lines[i], lineEnd < 0 ? text.length() : lineEnd, hits);
        }
    }

    /**
     * Where secrets are in {@code text}, for redaction (the guardrails): rule id and [start, end) of
     * each secret, in order of position. Unlike {@link #scan} the inline {@value #ALLOW_MARKER}
     * comment is not honoured (text sent to or from a model is not source code a developer vetted);
     * the allow-lists of the rules still apply.
     */
    public List<Located> locate(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        String lower = text.toLowerCase(Locale.ROOT);
        Fragment fragment = new Fragment("", null, text, 1);
        Hits hits = new Hits();
        hits.honourAllowMarker = false;
        for (Rule rule : rules.rules()) {
            apply(rule, fragment, text, lower, hits);
        }
        if (hits.located.isEmpty()) {
            return List.of();
        }
        hits.located.sort(java.util.Comparator.comparingInt(Located::start));
        return hits.located;
    }

    /** One secret's place in a text: the rule that found it and its span [start, end). Holds no secret. */
    public record Located(String ruleId, int start, int end) {
    }

    /** Findings of one fragment so far, with the text spans they cover. */
    private static final class Hits {
        final List<Finding> findings = new ArrayList<>(0);
        final List<int[]> spans = new ArrayList<>(0);
        final List<Located> located = new ArrayList<>(0);
        boolean honourAllowMarker = true;

        boolean overlaps(int start, int end) {
            for (int[] span : spans) {
                if (start < span[1] && span[0] < end) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Runs the rule's regex over [from, to) (lookarounds see beyond) and records accepted candidates. */
    private void collect(Rule rule, Fragment fragment, int from, int to, Hits hits) {
        String text = fragment.text();
        Matcher m = rule.regex().matcher(text).useTransparentBounds(true).useAnchoringBounds(false).region(from, to);
        while (m.find()) {
            int start = m.start(rule.secretGroup());
            String secret = m.group(rule.secretGroup());
            if (secret == null || secret.isEmpty() || !rule.accepts(secret) || rules.allowlist().allowsSecret(secret)) {
                continue;
            }
            int end = m.end(rule.secretGroup());
            if ((hits.honourAllowMarker && lineHasAllowMarker(text, start, end)) || hits.overlaps(start, end)) {
                continue;
            }
            hits.spans.add(new int[] {start, end});
            if (!hits.honourAllowMarker) {
                hits.located.add(new Located(rule.id(), start, end));
                continue;
            }
            int[] lineCol = lineAndColumn(text, start);
            hits.findings.add(Finding.of(rule, secret, fragment.path(), fragment.firstLine() + lineCol[0], lineCol[1], fragment.commit()));
        }
    }

    /** Sorted start offsets of the lines holding one of the rule's keywords. */
    private static int[] keywordLines(String lowerText, Rule rule) {
        int[] starts = new int[16];
        int n = 0;
        for (String k : rule.keywords()) {
            int lastLine = -1;
            for (int at = lowerText.indexOf(k); at >= 0; at = lowerText.indexOf(k, at + k.length())) {
                int lineStart = lowerText.lastIndexOf('\n', at - 1) + 1;
                if (lineStart == lastLine) {
                    continue;
                }
                lastLine = lineStart;
                if (n == starts.length) {
                    starts = java.util.Arrays.copyOf(starts, n * 2);
                }
                starts[n++] = lineStart;
            }
        }
        int[] result = java.util.Arrays.copyOf(starts, n);
        java.util.Arrays.sort(result);
        return result;
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
