package dev.keywarden.guard;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class RequiredLiteralsTest {

    @Test
    void eachAlternativeContributesItsMostSelectiveRequiredElement() {
        // alternative 1: the leading group (shortest literal 5) beats the trailing "x"; alternative 2: "forget "
        assertThat(RequiredLiterals.of("\\b(ignor(e|es|ing)|disregard(s|ing)?)\\b[^.]{0,40}x|\\bforget (it|that)\\b"))
                .contains(List.of("ignor", "disregard", "forget "));
        // a later required group with longer words is chosen over short leading ones
        assertThat(RequiredLiterals.of("\\b(ai|you)s? (has|have) (no|zero) (rules|limits)\\b"))
                .contains(List.of("rules", "limits"));
    }

    @Test
    void aCharacterMadeOptionalOrRepeatedSplitsTheLiteralRun() {
        assertThat(RequiredLiterals.of("\\bdon'?t stop")).contains(List.of("t stop"));
        assertThat(RequiredLiterals.of("colou?r")).contains(List.of("colo"));
        assertThat(RequiredLiterals.of("ab{2,3}")).contains(List.of("a"));
        assertThat(RequiredLiterals.of("xy+zzz")).contains(List.of("zzz"));
    }

    @Test
    void optionalGroupsClassesAndEscapesAreNeverRequired() {
        assertThat(RequiredLiterals.of("(optional)?word")).contains(List.of("word"));
        assertThat(RequiredLiterals.of("[abc]def")).contains(List.of("def"));
        assertThat(RequiredLiterals.of("(^|\\n)system:")).contains(List.of("system:"));
        assertThat(RequiredLiterals.of("(a|)b")).contains(List.of("b"));
        assertThat(RequiredLiterals.of("abc|\\s*def")).contains(List.of("abc", "def"));
    }

    @Test
    void nonCapturingGroupsAreReadAndLookAroundsSteppedOver() {
        assertThat(RequiredLiterals.of("(?:abc|abd)x")).contains(List.of("abc", "abd"));
        assertThat(RequiredLiterals.of("(?<![a-z])forget(?! it)")).contains(List.of("forget"));
        assertThat(RequiredLiterals.elements("(?<!my )(ignore|forget) (the )?rules|x")).containsExactly(
                List.of(List.of("ignore", "forget"), List.of(" "), List.of("rules")), List.of(List.of("x")));
    }

    @Test
    void anAlternativeWithoutAnUnderstoodRequiredElementMeansNoLiterals() {
        assertThat(RequiredLiterals.of("abc|\\s*")).isEmpty();
        assertThat(RequiredLiterals.of("(?i)abc")).isEmpty(); // inline flags stop the walk
        assertThat(RequiredLiterals.of("[abc]+")).isEmpty();
        assertThat(RequiredLiterals.of("(abc)?")).isEmpty();
        assertThat(RequiredLiterals.of("(abc){0,2}")).isEmpty();
        assertThat(RequiredLiterals.of("\\p{L}+abc")).isEmpty(); // an escape it does not parse stops the walk
    }

    @Test
    void everyShippedRuleMatchOnTheCorpusContainsOneOfItsLiterals() throws Exception {
        // soundness on real text: wherever a rule's pattern matches a corpus text (or its variants),
        // the pre-filter lets it run
        for (InjectionCorpusTest.Example e : InjectionCorpusTest.corpus()) {
            TextNormalizer.Normalized n = TextNormalizer.normalize(e.text());
            List<String> variants = new java.util.ArrayList<>(List.of(n.plain(), n.leet()));
            if (n.joined() != null) {
                variants.add(n.joined());
            }
            variants.addAll(n.decoded());
            for (InjectionRules.Rule r : InjectionRules.builtIn().rules()) {
                for (String v : variants) {
                    Matcher m = r.pattern().matcher(v);
                    if (m.find()) {
                        assertThat(r.mayMatch(v)).as(r.id() + " on " + v).isTrue();
                        if (!r.literals().isEmpty()) {
                            String matched = m.group();
                            assertThat(r.literals().stream().anyMatch(matched::contains)).as(r.id() + " matched " + matched).isTrue();
                        }
                    }
                }
            }
        }
    }

    @Test
    void thePreFilterNeverChangesAScoreOnTheCorpus() throws Exception {
        InjectionScorer filtered = InjectionScorer.rulesOnly(InjectionRules.builtIn());
        InjectionScorer plain = InjectionScorer.exhaustive(InjectionRules.builtIn());
        for (InjectionCorpusTest.Example e : InjectionCorpusTest.corpus()) {
            assertThat(filtered.score(e.text())).as(e.text()).isEqualTo(plain.score(e.text()));
        }
    }

    @Test
    void mostShippedRulesGetAPreFilter() {
        long withLiterals = InjectionRules.builtIn().rules().stream().filter(r -> !r.literals().isEmpty()).count();
        assertThat(withLiterals).isGreaterThanOrEqualTo(InjectionRules.builtIn().rules().size() - 2);
        Optional<List<String>> none = RequiredLiterals.of(Pattern.quote("x"));
        assertThat(none).isEmpty();
    }
}
