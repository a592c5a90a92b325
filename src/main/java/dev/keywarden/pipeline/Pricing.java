package dev.keywarden.pipeline;

/** Prices a call's metered usage (the pricing table implements it). */
@FunctionalInterface
public interface Pricing {

    /** Nothing has a price. */
    Pricing NONE = (model, usage) -> Double.NaN;

    /** The cost in USD of {@code usage} on {@code model}, or {@link Double#NaN} when the model has no price. */
    double usd(String model, Usage usage);
}
