package dev.keywarden.guard;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A second prompt-injection signal besides the patterns: a logistic regression over hashed character
 * 3-, 4- and 5-grams of the normalised text ({@link TextNormalizer}), with weights loaded from the jar
 * ({@code guard/ngram-model.bin}, 64 KB of 8-bit weights, trained from the corpus's tuning half only by
 * {@code NgramModelTrainer} in the tests). It gives the probability that a text is an injection.
 *
 * <p>Guarantees: no network, no state, thread-safe; cost linear in the length of the text (one pass, five
 * multiplications per character, then prefix sums). A text longer than {@link #WINDOW} characters is scored
 * window by window (windows overlap by half, so any passage of up to half a window lies whole in one) and the
 * highest window counts: an attack buried in a long benign document is not diluted by it.
 */
public final class NgramModel {

    /** Hash buckets: 2^16 weights. */
    static final int BITS = 16;
    static final int BUCKETS = 1 << BITS;
    static final int MIN_N = 3;
    static final int MAX_N = 5;
    /** Characters a window spans; texts up to this length are one window. */
    static final int WINDOW = 512;
    private static final String RESOURCE = "/guard/ngram-model.bin";
    private static final int MAGIC = 0x4B574E47; // "KWNG"

    private final int version;
    private final double bias;
    private final float[] weights;
    private final double threshold;

    NgramModel(int version, double bias, float[] weights, double threshold) {
        if (weights.length != BUCKETS) {
            throw new IllegalArgumentException("an n-gram model needs " + BUCKETS + " weights, not " + weights.length);
        }
        this.version = version;
        this.bias = bias;
        this.weights = weights;
        this.threshold = threshold;
    }

    /** The model shipped in the jar. */
    public static NgramModel builtIn() {
        return Shipped.MODEL;
    }

    /** Loaded on first use. */
    private static final class Shipped {
        static final NgramModel MODEL = load();
    }

    /** Version of the weights (keys the score cache together with the rules version). */
    public int version() {
        return version;
    }

    /** The probability at or above which the model's signal counts (chosen by the trainer, never on the held-out half). */
    public double threshold() {
        return threshold;
    }

    /** The bucket of the n-gram of {@code text} ending at {@code end} (inclusive) of length {@code n}, given its hash. */
    static int bucket(int hash, int n) {
        int h = (hash ^ (n * 0x9E3779B9)) * 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h >>> (32 - BITS);
    }

    /** Calls {@code sink} with the bucket of every 3-, 4- and 5-gram of {@code text} padded with a space on each side, in order of their end. */
    static void forEachBucket(String text, BucketSink sink) {
        int len = text.length() + 2;
        for (int end = 0; end < len; end++) {
            int h = 0;
            for (int k = 0; k < MAX_N && k <= end; k++) {
                h = h * 0x01000193 + charAt(text, end - k);
                int n = k + 1;
                if (n >= MIN_N) {
                    sink.accept(end, bucket(h, n));
                }
            }
        }
    }

    private static char charAt(String text, int paddedIndex) {
        return paddedIndex == 0 || paddedIndex == text.length() + 1 ? ' ' : text.charAt(paddedIndex - 1);
    }

    /** Receives n-gram buckets. */
    interface BucketSink {
        void accept(int end, int bucket);
    }

    /** The logit of a text taken as one window: bias + (sum of the weights of its n-grams) / sqrt(their number). */
    double logitWhole(String normalized) {
        double[] sum = {0};
        int[] count = {0};
        forEachBucket(normalized, (end, b) -> {
            sum[0] += weights[b];
            count[0]++;
        });
        return count[0] == 0 ? bias : bias + sum[0] / Math.sqrt(count[0]);
    }

    /** The probability that {@code normalized} (text as {@link TextNormalizer} leaves it) is an injection: the highest of its windows. */
    public double probability(String normalized) {
        return sigmoid(logit(normalized));
    }

    double logit(String normalized) {
        if (normalized.length() <= WINDOW) {
            return logitWhole(normalized);
        }
        int len = normalized.length() + 2;
        // prefix sums of the weights and counts of the n-grams ending before each padded position
        double[] prefix = new double[len + 1];
        int[] counts = new int[len + 1];
        double[] at = new double[len];
        int[] nAt = new int[len];
        forEachBucket(normalized, (end, b) -> {
            at[end] += weights[b];
            nAt[end]++;
        });
        for (int i = 0; i < len; i++) {
            prefix[i + 1] = prefix[i] + at[i];
            counts[i + 1] = counts[i] + nAt[i];
        }
        double best = Double.NEGATIVE_INFINITY;
        int stride = WINDOW / 2;
        for (int start = 0; ; start += stride) {
            int end = Math.min(len, start + WINDOW);
            // n-grams that lie wholly inside [start, end): those ending at start + MAX_N - 1 or later
            int from = Math.min(end, start == 0 ? 0 : start + MAX_N - 1);
            int n = counts[end] - counts[from];
            if (n > 0) {
                best = Math.max(best, bias + (prefix[end] - prefix[from]) / Math.sqrt(n));
            }
            if (end == len) {
                break;
            }
        }
        return best == Double.NEGATIVE_INFINITY ? bias : best;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Writes the model: magic, version, bias, threshold, scale, then one signed byte per bucket (weight / scale). */
    void write(OutputStream out) throws IOException {
        float max = 0;
        for (float w : weights) {
            max = Math.max(max, Math.abs(w));
        }
        float scale = max == 0 ? 1 : max / 127f;
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(MAGIC);
        d.writeInt(version);
        d.writeDouble(bias);
        d.writeDouble(threshold);
        d.writeFloat(scale);
        for (float w : weights) {
            d.writeByte(Math.round(w / scale));
        }
        d.flush();
    }

    static NgramModel read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        if (d.readInt() != MAGIC) {
            throw new IOException("not a Keywarden n-gram model");
        }
        int version = d.readInt();
        double bias = d.readDouble();
        double threshold = d.readDouble();
        float scale = d.readFloat();
        byte[] q = new byte[BUCKETS];
        d.readFully(q);
        float[] w = new float[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            w[i] = q[i] * scale;
        }
        return new NgramModel(version, bias, w, threshold);
    }

    /** This model with its weights rounded as {@link #write} stores them (what a reader gets back). */
    NgramModel quantized() {
        try {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            write(b);
            return read(new java.io.ByteArrayInputStream(b.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static NgramModel load() {
        try (InputStream in = NgramModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
