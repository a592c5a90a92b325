package dev.keywarden.guard;

import dev.keywarden.scan.RuleSet;
import dev.keywarden.scan.SecretScanner;
import org.ahocorasick.trie.Emit;
import org.ahocorasick.trie.Trie;

import java.util.List;

/**
 * Finds and redacts credentials in prompt and output text with the same rules as
 * {@code keywarden scan} (Anthropic API/admin/OAuth keys, {@code kw_} keys and tokens, cloud and
 * VCS keys, private keys, JWTs, generic assignments), so there is one rule set to maintain.
 * A redacted secret becomes {@code [REDACTED:<rule id>]}. Thread-safe.
 */
public final class SecretDetector {

    private static final SecretDetector BUILT_IN = new SecretDetector(new SecretScanner(RuleSet.builtIn()));

    private final SecretScanner scanner;
    private final Trie keywords;
    private final int longestKeyword;

    SecretDetector(SecretScanner scanner) {
        this.scanner = scanner;
        List<String> all = scanner.rules().rules().stream().flatMap(r -> r.keywords().stream()).distinct().toList();
        this.keywords = Trie.builder().ignoreCase().addKeywords(all).build();
        this.longestKeyword = all.stream().mapToInt(String::length).max().orElse(0);
    }

    /**
     * Where the rules' keywords occur in {@code text} (case-insensitive), each as {start, end}. The
     * detector finds nothing in a text without one (every rule runs only where one of its keywords is),
     * so a stream needs the detector only where a keyword is near new text.
     */
    List<int[]> keywordsIn(CharSequence text) {
        return keywords.parseText(text).stream().map((Emit e) -> new int[] {e.getStart(), e.getEnd() + 1}).toList();
    }

    /** The length of the longest keyword. */
    int longestKeyword() {
        return longestKeyword;
    }

    /** The detector over the shipped scan rules. */
    public static SecretDetector builtIn() {
        return BUILT_IN;
    }

    /** Secrets in {@code text} by rule id and span, in order. */
    List<SecretScanner.Located> find(String text) {
        return scanner.locate(text);
    }

    /** The text that replaces a secret found by {@code ruleId}. */
    static String marker(String ruleId) {
        return "[REDACTED:" + ruleId + "]";
    }

    /** {@code text} with each of {@code hits} (from {@link #find} on the same text) replaced by its marker. */
    static String redact(String text, List<SecretScanner.Located> hits) {
        StringBuilder sb = new StringBuilder(text.length());
        int at = 0;
        for (SecretScanner.Located h : hits) {
            if (h.start() < at) {
                continue;
            }
            sb.append(text, at, h.start()).append(marker(h.ruleId()));
            at = h.end();
        }
        return sb.append(text, at, text.length()).toString();
    }
}
