package dev.keywarden.guard;

import dev.keywarden.config.GuardConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The prompt-injection scorer on the shipped labelled corpus (src/test/resources/guard, see
 * CORPUS.md) at the shipped threshold. The corpus is split by a hash of each text into a tuning
 * half (the only half looked at while writing rules) and a held-out half; the floors hold on the
 * held-out half. Prints precision and recall of both halves (recorded in docs/guardrails.md).
 */
class InjectionCorpusTest {

    record Example(String text, boolean injection, String source, boolean heldOut) {
    }

    record Counts(int tp, int fp, int fn, int tn) {
        double precision() {
            return tp + fp == 0 ? 1 : (double) tp / (tp + fp);
        }

        double recall() {
            return tp + fn == 0 ? 1 : (double) tp / (tp + fn);
        }

        /** Share of benign prompts flagged. */
        double falsePositiveRate() {
            return fp + tn == 0 ? 0 : (double) fp / (fp + tn);
        }

        Counts plus(Counts o) {
            return new Counts(tp + o.tp, fp + o.fp, fn + o.fn, tn + o.tn);
        }

        @Override
        public String toString() {
            return String.format("n=%d precision=%.3f recall=%.3f fpr=%.3f (tp=%d fp=%d fn=%d tn=%d)", tp + fp + fn + tn,
                    precision(), recall(), falsePositiveRate(), tp, fp, fn, tn);
        }
    }

    static List<Example> corpus() throws Exception {
        List<Example> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                InjectionCorpusTest.class.getResourceAsStream("/guard/injection-corpus.jsonl"), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                String text = n.get("text").asText();
                boolean heldOut = (sha.digest(text.getBytes(StandardCharsets.UTF_8))[0] & 1) == 1;
                out.add(new Example(text, n.get("label").asInt() == 1, n.get("source").asText(), heldOut));
            }
        }
        return out;
    }

    static Counts evaluate(List<Example> examples, double threshold, List<String> misses) {
        return evaluate(InjectionScorer.builtIn(), examples, threshold, misses);
    }

    /** The shipped rules without the n-gram model's signal. */
    static final InjectionScorer RULES_ONLY = InjectionScorer.rulesOnly(InjectionRules.builtIn());

    static Counts evaluate(InjectionScorer scorer, List<Example> examples, double threshold, List<String> misses) {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (Example e : examples) {
            InjectionScorer.Score s = scorer.score(e.text());
            boolean flagged = s.atLeast(threshold);
            if (flagged && e.injection()) {
                tp++;
            } else if (flagged) {
                fp++;
                misses.add("FP " + String.format("%.2f", s.value()) + " " + s.rules() + " " + e.text().replace("\n", "⏎"));
            } else if (e.injection()) {
                fn++;
                misses.add("FN " + String.format("%.2f", s.value()) + " " + e.source() + " " + e.text().replace("\n", "⏎"));
            } else {
                tn++;
            }
        }
        return new Counts(tp, fp, fn, tn);
    }

    /** The language of a prompt, from its source tag ({@code …-de}); "en" for English, "mixed" for the early multilingual lists. */
    static String language(Example e) {
        String s = e.source();
        if (s.startsWith("authored:non-english")) {
            return "mixed";
        }
        int dash = s.lastIndexOf('-');
        return dash > 0 && s.length() - dash == 3 ? s.substring(dash + 1) : "en";
    }

    /** The family of a prompt: its source tag without the language suffix and the obfuscation kind. */
    static String family(Example e) {
        String s = e.source();
        if (s.startsWith("authored:obfuscated:")) {
            return "authored:obfuscated";
        }
        String lang = language(e);
        return lang.length() == 2 && !lang.equals("en") ? s.substring(0, s.length() - 3) : s;
    }

    static java.util.Map<String, Counts> breakdown(List<Example> examples, double threshold,
                                                   java.util.function.Function<Example, String> key) {
        return breakdown(InjectionScorer.builtIn(), examples, threshold, key);
    }

    static java.util.Map<String, Counts> breakdown(InjectionScorer scorer, List<Example> examples, double threshold,
                                                   java.util.function.Function<Example, String> key) {
        java.util.Map<String, Counts> out = new java.util.TreeMap<>();
        for (Example e : examples) {
            out.merge(key.apply(e), evaluate(scorer, List.of(e), threshold, new ArrayList<>()), Counts::plus);
        }
        return out;
    }

    /** Prints the held-out half by {@code key}: rules and model (shipped), then rules alone. */
    private static void printBreakdown(List<Example> heldOut, double threshold, java.util.function.Function<Example, String> key) {
        java.util.Map<String, Counts> shipped = breakdown(heldOut, threshold, key);
        java.util.Map<String, Counts> rulesOnly = breakdown(RULES_ONLY, heldOut, threshold, key);
        shipped.forEach((k, v) -> System.out.printf("    %-32s %s%n    %-32s   rules alone: %s%n", k, v, "", rulesOnly.get(k)));
    }

    /** Writes score, label and text of each example, tab-separated (for comparing a second signal by hand). */
    static void writeScores(List<Example> examples, java.nio.file.Path file) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        ObjectMapper json = new ObjectMapper();
        for (Example e : examples) {
            sb.append(InjectionScorer.builtIn().score(e.text()).value()).append('\t').append(e.injection() ? 1 : 0).append('\t')
                    .append(json.writeValueAsString(e.text())).append('\n');
        }
        java.nio.file.Files.writeString(file, sb);
    }

    @Test
    void corpusHasAtLeast500LabelledPromptsAndAtLeast40PercentBenign() throws Exception {
        List<Example> all = corpus();
        assertThat(all).hasSizeGreaterThanOrEqualTo(500);
        assertThat(all.stream().filter(e -> !e.injection()).count()).isGreaterThanOrEqualTo((long) Math.ceil(all.size() * 0.4));
    }

    @Test
    void heldOutPrecisionAndRecallAtTheShippedThresholdStayAboveTheirFloors() throws Exception {
        List<Example> all = corpus();
        double threshold = GuardConfig.defaults().injectionThreshold();
        List<String> tuningMisses = new ArrayList<>();
        Counts tuning = evaluate(all.stream().filter(e -> !e.heldOut()).toList(), threshold, tuningMisses);
        Counts heldOut = evaluate(all.stream().filter(Example::heldOut).toList(), threshold, new ArrayList<>());
        Counts whole = evaluate(all, threshold, new ArrayList<>());
        System.out.println("prompt-injection corpus at threshold " + threshold + " (rules version "
                + InjectionScorer.builtIn().rules().version() + ")");
        System.out.println("  tuning half:   " + tuning);
        System.out.println("  held-out half: " + heldOut);
        System.out.println("  whole corpus:  " + whole);
        List<Example> heldOutExamples = all.stream().filter(Example::heldOut).toList();
        System.out.println("  held-out half, rules alone (no n-gram model): "
                + evaluate(RULES_ONLY, heldOutExamples, threshold, new ArrayList<>()));
        System.out.println("  held-out half by family (source tag without language):");
        printBreakdown(heldOutExamples, threshold, InjectionCorpusTest::family);
        System.out.println("  held-out half by language:");
        printBreakdown(heldOutExamples, threshold, InjectionCorpusTest::language);
        if (Boolean.getBoolean("guard.corpus.misses")) {
            tuningMisses.forEach(m -> System.out.println("  tuning miss: " + m));
        }
        if (System.getProperty("guard.corpus.scores") != null) {
            writeScores(all.stream().filter(Example::heldOut).toList(), java.nio.file.Path.of(System.getProperty("guard.corpus.scores")));
        }
        // floors: what rules version 8 achieves on the held-out half, minus a margin (docs/guardrails.md)
        assertThat(heldOut.precision()).as("held-out precision").isGreaterThanOrEqualTo(0.97);
        assertThat(heldOut.recall()).as("held-out recall").isGreaterThanOrEqualTo(0.77);
        assertThat(heldOut.falsePositiveRate()).as("held-out false-positive rate").isLessThanOrEqualTo(0.02);
        Counts nonEnglish = evaluate(all.stream().filter(Example::heldOut)
                .filter(e -> List.of("de", "fr", "es", "pt", "it", "nl").contains(language(e))).toList(), threshold, new ArrayList<>());
        assertThat(nonEnglish.recall()).as("held-out recall in German, French, Spanish, Portuguese, Italian, Dutch")
                .isGreaterThanOrEqualTo(0.8);
        assertThat(nonEnglish.falsePositiveRate()).as("held-out false-positive rate in those languages").isLessThanOrEqualTo(0.02);
    }

    @Test
    void theNgramModelAddsHeldOutRecallWithoutCostingPrecision() throws Exception {
        List<Example> heldOut = corpus().stream().filter(Example::heldOut).toList();
        double threshold = GuardConfig.defaults().injectionThreshold();
        Counts withModel = evaluate(heldOut, threshold, new ArrayList<>());
        Counts rulesAlone = evaluate(RULES_ONLY, heldOut, threshold, new ArrayList<>());
        assertThat(withModel.recall()).as("held-out recall with the model").isGreaterThan(rulesAlone.recall() + 0.03);
        assertThat(withModel.precision()).as("held-out precision with the model").isGreaterThanOrEqualTo(rulesAlone.precision() - 0.005);
        assertThat(withModel.fp()).as("benign held-out prompts flagged with the model").isLessThanOrEqualTo(rulesAlone.fp() + 1);
    }
}
