package dev.keywarden.guard;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class MatchLengthTest {

    @Test
    void literalsClassesGroupsAndBoundedRepetitionsAddUp() {
        assertThat(MatchLength.of("abc")).isEqualTo(3);
        assertThat(MatchLength.of("ab|cdef")).isEqualTo(4);
        assertThat(MatchLength.of("a(bc|d)?e")).isEqualTo(4);
        assertThat(MatchLength.of("[abc]{2,5}")).isEqualTo(5);
        assertThat(MatchLength.of("[^.]{0,40}")).isEqualTo(80); // a negated class may match a surrogate pair
        assertThat(MatchLength.of("(?:ab){3}")).isEqualTo(6);
        assertThat(MatchLength.of("\\bfoo\\b")).isEqualTo(3);
    }

    @Test
    void lookAroundsAndAnchorsConsumeNothing() {
        assertThat(MatchLength.of("(?<=^|x)abc(?!d)")).isEqualTo(3);
        assertThat(MatchLength.of("^ab$")).isEqualTo(2);
        assertThat(MatchLength.of("(?<=a+)b")).isEqualTo(1); // what a look-behind reads is not part of the match
    }

    @Test
    void unboundedRepetitionAndUnknownConstructsAreUnbounded() {
        assertThat(MatchLength.of("a+")).isEqualTo(MatchLength.UNBOUNDED);
        assertThat(MatchLength.of("a\\s*b")).isEqualTo(MatchLength.UNBOUNDED);
        assertThat(MatchLength.of("(ab){2,}")).isEqualTo(MatchLength.UNBOUNDED);
        assertThat(MatchLength.of("(a)\\1")).isEqualTo(MatchLength.UNBOUNDED);
        assertThat(MatchLength.of("(?<name>a)")).isEqualTo(MatchLength.UNBOUNDED);
        assertThat(MatchLength.of("ab)")).isEqualTo(MatchLength.UNBOUNDED);
    }

    @Test
    void noMatchOfAShippedRuleOnTheCorpusIsLongerThanItsBound() throws Exception {
        for (InjectionRules.Rule r : InjectionRules.builtIn().rules()) {
            for (String alternative : RequiredLiterals.splitAlternatives(r.pattern().pattern())) {
                int bound = MatchLength.of(alternative);
                assertThat(bound).as(r.id()).isLessThan(MatchLength.UNBOUNDED);
                Pattern p = Pattern.compile(alternative, InjectionRules.FLAGS);
                for (InjectionCorpusTest.Example e : InjectionCorpusTest.corpus()) {
                    Matcher m = p.matcher(TextNormalizer.normalize(e.text()).plain());
                    while (m.find()) {
                        assertThat(m.end() - m.start()).as(r.id() + " on " + e.text()).isLessThanOrEqualTo(bound);
                    }
                }
            }
        }
    }
}
