package dev.keywarden.pricing;

import dev.keywarden.config.PricingConfig;
import dev.keywarden.pipeline.Pricing;
import dev.keywarden.pipeline.Usage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prices per model: the shipped defaults ({@code prices.yaml}, from Anthropic's pricing page) plus
 * an operator's file ({@code pricing.file}) that overrides or adds models. A model id is priced by
 * the longest table entry that equals it or is its prefix followed by {@code -} (so a dated id uses
 * its family's price). Guarantee: an unknown model has no price — cost is reported as unknown,
 * never guessed.
 */
public final class PricingTable implements Pricing {

    private final Map<String, ModelPrice> prices;
    private final List<String> byLengthDesc;

    private PricingTable(Map<String, ModelPrice> prices) {
        this.prices = Map.copyOf(prices);
        this.byLengthDesc = prices.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** The shipped defaults. */
    public static PricingTable defaults() {
        try (InputStream in = PricingTable.class.getResourceAsStream("prices.yaml")) {
            return new PricingTable(prices(PricingConfig.read(in, "the shipped prices.yaml")));
        } catch (IOException e) {
            throw new IllegalStateException("the shipped price table cannot be read", e);
        }
    }

    /** The defaults, overridden and extended by the operator's validated table ({@code pricing.file}). */
    public static PricingTable of(PricingConfig config) {
        Map<String, ModelPrice> merged = new HashMap<>(defaults().prices);
        merged.putAll(prices(config.models()));
        return new PricingTable(merged);
    }

    /** The defaults, overridden and extended by {@code file} (same format as the shipped table). */
    public static PricingTable withOverrides(Path file) {
        return of(PricingConfig.read(file));
    }

    private static Map<String, ModelPrice> prices(Map<String, PricingConfig.Prices> table) {
        Map<String, ModelPrice> out = new HashMap<>();
        table.forEach((model, p) -> out.put(model, new ModelPrice(p.input(), p.output(), p.cacheWrite(), p.cacheRead())));
        return out;
    }

    /** The price of {@code model}, if the table knows it or its family. */
    public Optional<ModelPrice> priceOf(String model) {
        if (model == null || model.isBlank()) {
            return Optional.empty();
        }
        ModelPrice exact = prices.get(model);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (String id : byLengthDesc) {
            if (model.startsWith(id) && model.length() > id.length() && model.charAt(id.length()) == '-') {
                return Optional.of(prices.get(id));
            }
        }
        return Optional.empty();
    }

    /** Cost in USD of a call, when the model is priced. */
    public Optional<Double> cost(String model, long input, long output, long cacheWrite, long cacheRead) {
        return priceOf(model).map(p -> p.cost(input, output, cacheWrite, cacheRead));
    }

    /** The cost in USD of {@code usage} on {@code model}; {@link Double#NaN} when the model has no price. */
    @Override
    public double usd(String model, Usage usage) {
        ModelPrice p = priceOf(model).orElse(null);
        return p == null ? Double.NaN : p.cost(usage.inputTokens(), usage.outputTokens(), usage.cacheCreationInputTokens(),
                usage.cacheReadInputTokens());
    }

    public int size() {
        return prices.size();
    }
}
