package dev.keywarden.guard;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trains {@link NgramModel} from the corpus's <b>tuning half only</b> (src/test/resources/guard, split as in
 * {@link InjectionCorpusTest}) and writes {@code src/main/resources/guard/ngram-model.bin}. Deterministic: the
 * same corpus gives the same bytes ({@code NgramModelTest} checks that the shipped file is what this produces).
 *
 * <p>Logistic regression with L2 regularisation, full-batch gradient descent with momentum, features the
 * counts of hashed character 3–5-grams divided by the square root of their number. The threshold at which
 * the model's signal counts is chosen by 5-fold cross-validation inside the tuning half: the lowest
 * probability at which the model, added to the rules, flags at most {@link #MAX_EXTRA_FP_RATE} of the
 * out-of-fold benign prompts the rules leave alone. The held-out half is never read.
 *
 * <p>Run: {@code java -cp target/test-classes:target/keywarden.jar dev.keywarden.guard.NgramModelTrainer [OUT]}
 * (after {@code ./mvnw -q -DskipTests package test-compile}).
 */
public final class NgramModelTrainer {

    static final int VERSION = 1;
    static final int ITERATIONS = 300;
    static final double LEARNING_RATE = 0.5;
    static final double MOMENTUM = 0.9;
    static final double L2 = 1e-3;
    static final int FOLDS = 5;
    static final double MAX_EXTRA_FP_RATE = 0.005;

    record Sample(int[] buckets, double[] values, boolean injection, boolean rulesFlag) {
    }

    static Sample sample(String text, boolean injection, InjectionScorer rulesOnly, double threshold) {
        String normalized = TextNormalizer.normalize(text).plain();
        int[] counts = new int[NgramModel.BUCKETS];
        int[] total = {0};
        List<Integer> seen = new ArrayList<>();
        NgramModel.forEachBucket(normalized, (end, b) -> {
            if (counts[b]++ == 0) {
                seen.add(b);
            }
            total[0]++;
        });
        int[] idx = seen.stream().mapToInt(Integer::intValue).sorted().toArray();
        double[] val = new double[idx.length];
        double norm = total[0] == 0 ? 1 : Math.sqrt(total[0]);
        for (int i = 0; i < idx.length; i++) {
            val[i] = counts[idx[i]] / norm;
        }
        return new Sample(idx, val, injection, rulesOnly.score(text).atLeast(threshold));
    }

    /** Weights (last element the bias) of a logistic regression fitted to {@code samples}. */
    static double[] fit(List<Sample> samples) {
        int dim = NgramModel.BUCKETS;
        double[] w = new double[dim + 1];
        double[] velocity = new double[dim + 1];
        double[] grad = new double[dim + 1];
        int m = samples.size();
        for (int it = 0; it < ITERATIONS; it++) {
            Arrays.fill(grad, 0);
            for (Sample s : samples) {
                double z = w[dim];
                for (int i = 0; i < s.buckets.length; i++) {
                    z += w[s.buckets[i]] * s.values[i];
                }
                double err = NgramModel.sigmoid(z) - (s.injection ? 1 : 0);
                for (int i = 0; i < s.buckets.length; i++) {
                    grad[s.buckets[i]] += err * s.values[i];
                }
                grad[dim] += err;
            }
            for (int j = 0; j <= dim; j++) {
                double g = grad[j] / m + (j < dim ? L2 * w[j] : 0);
                velocity[j] = MOMENTUM * velocity[j] - LEARNING_RATE * g;
                w[j] += velocity[j];
            }
        }
        return w;
    }

    static NgramModel model(double[] w, double threshold) {
        float[] weights = new float[NgramModel.BUCKETS];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) w[i];
        }
        return new NgramModel(VERSION, w[NgramModel.BUCKETS], weights, threshold).quantized();
    }

    /** The model trained on the tuning half, its threshold chosen by cross-validation inside that half. */
    static NgramModel train() throws Exception {
        double ruleThreshold = dev.keywarden.config.GuardConfig.DEFAULT_THRESHOLD;
        InjectionScorer rulesOnly = InjectionScorer.rulesOnly(InjectionRules.builtIn());
        List<InjectionCorpusTest.Example> tuning = InjectionCorpusTest.corpus().stream().filter(e -> !e.heldOut()).toList();
        List<Sample> samples = new ArrayList<>();
        for (InjectionCorpusTest.Example e : tuning) {
            samples.add(sample(e.text(), e.injection(), rulesOnly, ruleThreshold));
        }
        double[] outOfFold = new double[samples.size()];
        for (int f = 0; f < FOLDS; f++) {
            List<Sample> train = new ArrayList<>();
            for (int i = 0; i < samples.size(); i++) {
                if (i % FOLDS != f) {
                    train.add(samples.get(i));
                }
            }
            NgramModel m = model(fit(train), 1);
            for (int i = f; i < samples.size(); i += FOLDS) {
                outOfFold[i] = NgramModel.sigmoid(m.logitWhole(TextNormalizer.normalize(tuning.get(i).text()).plain()));
            }
        }
        long benignLeftByRules = samples.stream().filter(s -> !s.injection && !s.rulesFlag).count();
        double threshold = 0.99;
        for (int step = 99; step >= 50; step--) {
            double p = step / 100.0;
            int extraFp = 0;
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                if (!s.injection && !s.rulesFlag && outOfFold[i] >= p) {
                    extraFp++;
                }
            }
            if (extraFp > Math.floor(MAX_EXTRA_FP_RATE * benignLeftByRules)) {
                break;
            }
            threshold = p;
        }
        return model(fit(samples), threshold);
    }

    static byte[] bytes(NgramModel model) throws Exception {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        model.write(b);
        return b.toByteArray();
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "src/main/resources/guard/ngram-model.bin");
        NgramModel m = train();
        try (OutputStream o = Files.newOutputStream(out)) {
            m.write(o);
        }
        System.out.printf("wrote %s: version %d, threshold %.2f%n", out, m.version(), m.threshold());
    }
}
