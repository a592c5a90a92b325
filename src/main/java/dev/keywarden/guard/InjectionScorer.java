package dev.keywarden.guard;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Scores text for prompt-injection: the sum of the weights of the {@link InjectionRules} that match
 * any normalised variant of the text ({@link TextNormalizer}), each rule once, plus the weights of
 * the obfuscation signals present. A pattern screen: it lowers the risk of the known phrasings, it
 * cannot recognise every injection (docs/guardrails.md). Thread-safe.
 */
public final class InjectionScorer {

    /** The score of one text and the rules that contributed (ids only). */
    public record Score(double value, List<String> rules) {
        public boolean atLeast(double threshold) {
            return value >= threshold - 1e-9;
        }
    }

    private static final InjectionScorer BUILT_IN = new InjectionScorer(InjectionRules.builtIn());

    private final InjectionRules rules;

    public InjectionScorer(InjectionRules rules) {
        this.rules = rules;
    }

    public static InjectionScorer builtIn() {
        return BUILT_IN;
    }

    public InjectionRules rules() {
        return rules;
    }

    public Score score(String text) {
        if (text == null || text.isBlank()) {
            return new Score(0, List.of());
        }
        TextNormalizer.Normalized n = TextNormalizer.normalize(text);
        Set<String> hit = new LinkedHashSet<>();
        double score = 0;
        boolean viaDecoded = false;
        boolean viaJoined = false;
        for (InjectionRules.Rule r : rules.rules()) {
            boolean match = r.find(n.plain()) || (!n.leet().equals(n.plain()) && r.find(n.leet()));
            if (!match && n.joined() != null && r.find(n.joined())) {
                match = true;
                viaJoined = true;
            }
            if (!match) {
                for (String d : n.decoded()) {
                    if (r.find(d)) {
                        match = true;
                        viaDecoded = true;
                        break;
                    }
                }
            }
            if (match) {
                hit.add(r.id());
                score += r.weight();
            }
        }
        String squashed = n.squashed();
        if (squashed != null) {
            for (String phrase : rules.squashedPhrases()) {
                if (squashed.contains(phrase)) {
                    hit.add("squashed:" + phrase);
                    score += rules.squashedWeight();
                    viaJoined = true;
                    break;
                }
            }
        }
        List<String> signals = new ArrayList<>(0);
        if (n.zeroWidth()) {
            signals.add("zero_width");
        }
        if (n.mixedScript()) {
            signals.add("mixed_script");
        }
        if (viaDecoded) {
            signals.add("encoded_payload");
        }
        if (viaJoined) {
            signals.add("spaced_letters");
        }
        for (String s : signals) {
            score += rules.signal(s);
            hit.add("signal:" + s);
        }
        return new Score(score, List.copyOf(hit));
    }
}
