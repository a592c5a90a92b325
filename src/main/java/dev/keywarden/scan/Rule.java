package dev.keywarden.scan;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One detection rule, loaded from data: the regex finds a candidate, the secret is its group
 * {@code secretGroup}; the regex only runs on text containing one of the lower-case
 * {@code keywords}; a candidate is kept only when its Shannon entropy reaches {@code minEntropy}
 * (0 = no minimum), the optional offline {@code validator} accepts it and the rule's allow-list
 * does not exempt it. A rule that is not {@code multiline} matches within one line, so its regex
 * only runs on the lines holding a keyword. Immutable and thread-safe.
 */
public record Rule(String id, String description, Pattern regex, int secretGroup, List<String> keywords,
                   double minEntropy, Validator validator, Allowlist allowlist, boolean multiline) {

    public Rule {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a rule needs an id");
        }
        keywords = keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
        if (secretGroup < 0 || secretGroup > regex.matcher("").groupCount()) {
            throw new IllegalArgumentException("rule " + id + ": secretGroup " + secretGroup
                    + " does not exist in its regex (it has " + regex.matcher("").groupCount() + " groups)");
        }
    }

    /**
     * The part of {@code secret} that masked output may show: the longest keyword the secret starts
     * with (a fixed, public marker such as {@code sk-ant-api03-}), else nothing.
     */
    public String publicPrefix(String secret) {
        String lower = secret.toLowerCase(Locale.ROOT);
        String best = "";
        for (String k : keywords) {
            if (k.length() > best.length() && lower.startsWith(k)) {
                best = secret.substring(0, k.length());
            }
        }
        return best;
    }

    /** True when a candidate secret passes the entropy minimum, the validator and the allow-list. */
    boolean accepts(String secret) {
        if (minEntropy > 0 && Entropy.shannon(secret) < minEntropy) {
            return false;
        }
        if (!validator.isValid(secret)) {
            return false;
        }
        return !allowlist.allowsSecret(secret);
    }

    @Override
    public String toString() {
        return "Rule[" + id + "]";
    }
}
