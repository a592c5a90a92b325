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

        @Override
        public String toString() {
            return String.format("n=%d precision=%.3f recall=%.3f (tp=%d fp=%d fn=%d tn=%d)", tp + fp + fn + tn,
                    precision(), recall(), tp, fp, fn, tn);
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
        InjectionScorer scorer = InjectionScorer.builtIn();
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (Example e : examples) {
            InjectionScorer.Score s = scorer.score(e.text());
            boolean flagged = s.atLeast(threshold);
            if (flagged && e.injection()) {
                tp++;
            } else if (flagged) {
                fp++;
                misses.add("FP " + String.format("%.2f", s.value()) + " " + s.rules() + " " + e.text());
            } else if (e.injection()) {
                fn++;
                misses.add("FN " + String.format("%.2f", s.value()) + " " + e.source() + " " + e.text());
            } else {
                tn++;
            }
        }
        return new Counts(tp, fp, fn, tn);
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
        if (Boolean.getBoolean("guard.corpus.misses")) {
            tuningMisses.forEach(m -> System.out.println("  tuning miss: " + m));
        }
        assertThat(heldOut.precision()).as("held-out precision").isGreaterThanOrEqualTo(0.95);
        assertThat(heldOut.recall()).as("held-out recall").isGreaterThanOrEqualTo(0.65);
    }
}
