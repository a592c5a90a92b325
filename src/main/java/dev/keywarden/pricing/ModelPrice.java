package dev.keywarden.pricing;

/** Prices of one model in USD per million tokens. */
public record ModelPrice(double input, double output, double cacheWrite, double cacheRead) {

    public ModelPrice {
        for (double p : new double[] {input, output, cacheWrite, cacheRead}) {
            if (!(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("a price must be a number of dollars per million tokens, 0 or more");
            }
        }
    }

    /** The cost in USD of the given token counts. */
    public double cost(long inputTokens, long outputTokens, long cacheWriteTokens, long cacheReadTokens) {
        return (inputTokens * input + outputTokens * output + cacheWriteTokens * cacheWrite + cacheReadTokens * cacheRead) / 1_000_000.0;
    }
}
