package dev.keywarden.guard;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The literal automaton reports exactly the occurrences a naive search finds, overlapping ones included. */
class LiteralAutomatonTest {

    private static List<String> naive(List<String> literals, String text) {
        List<String> out = new ArrayList<>();
        for (int end = 1; end <= text.length(); end++) {
            for (int id = 0; id < literals.size(); id++) {
                String l = literals.get(id);
                if (end >= l.length() && text.startsWith(l, end - l.length()) && literals.indexOf(l) == id) {
                    out.add(id + "@" + end);
                }
            }
        }
        return out;
    }

    private static List<String> scanned(LiteralAutomaton a, String text) {
        List<String> out = new ArrayList<>();
        a.scan(text, (id, end) -> out.add(id + "@" + end));
        return out;
    }

    @Test
    void findsEveryOccurrenceIncludingOverlapsAndLiteralsInsideOthers() {
        List<String> literals = List.of("he", "she", "his", "hers", "ignore", "gnore", "e", "ss");
        LiteralAutomaton a = LiteralAutomaton.of(literals);
        for (String text : List.of("ushers", "she ignores his hers", "sssss", "", "zzz", "ignignore")) {
            assertThat(scanned(a, text)).as(text).containsExactlyInAnyOrderElementsOf(naive(literals, text));
        }
    }

    @Test
    void agreesWithANaiveSearchOnRandomTextOverASmallAlphabet() {
        Random random = new Random(16);
        for (int round = 0; round < 200; round++) {
            List<String> literals = new ArrayList<>();
            for (int k = 0; k < 1 + random.nextInt(12); k++) {
                literals.add(word(random, 1 + random.nextInt(4)));
            }
            String text = word(random, random.nextInt(60));
            assertThat(scanned(LiteralAutomaton.of(literals), text)).as(literals + " in " + text)
                    .containsExactlyInAnyOrderElementsOf(naive(literals, text));
        }
    }

    private static String word(Random random, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append("abcé ".charAt(random.nextInt(5)));
        }
        return sb.toString();
    }
}
