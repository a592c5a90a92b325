package dev.keywarden.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keywarden.config.ConfigException;
import dev.keywarden.pipeline.Pricing;
import dev.keywarden.pipeline.Usage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
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
            return new PricingTable(read(new ObjectMapper(new YAMLFactory()).readTree(in), "the shipped prices.yaml"));
        } catch (IOException e) {
            throw new IllegalStateException("the shipped price table cannot be read", e);
        }
    }

    /** The defaults, overridden and extended by {@code file} (same format as the shipped table). */
    public static PricingTable withOverrides(Path file) {
        Map<String, ModelPrice> merged = new HashMap<>(defaults().prices);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("pricing.file (KEYWARDEN_PRICING_FILE): " + file.toAbsolutePath()
                    + " does not exist; point it at a YAML file with models: {<model id>: {input: 3.0, output: 15.0, ...}}");
        }
        try {
            merged.putAll(read(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()), file.getFileName().toString()));
        } catch (IOException e) {
            throw new ConfigException("pricing.file (KEYWARDEN_PRICING_FILE): " + file.toAbsolutePath() + " is not valid YAML; fix the file");
        }
        return new PricingTable(merged);
    }

    private static Map<String, ModelPrice> read(JsonNode root, String where) {
        JsonNode models = root == null ? null : root.get("models");
        if (models == null || !models.isObject()) {
            throw new ConfigException("pricing.file: " + where + " needs a top-level 'models:' mapping of model id to prices");
        }
        Map<String, ModelPrice> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode p = e.getValue();
            try {
                out.put(e.getKey(), new ModelPrice(number(p, "input"), number(p, "output"),
                        p.has("cache_write") ? number(p, "cache_write") : number(p, "input") * 1.25,
                        p.has("cache_read") ? number(p, "cache_read") : number(p, "input") * 0.1));
            } catch (IllegalArgumentException bad) {
                throw new ConfigException("pricing.file: " + where + ", model " + e.getKey() + ": " + bad.getMessage());
            }
        }
        return out;
    }

    private static double number(JsonNode p, String field) {
        JsonNode v = p.get(field);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number (USD per million tokens)");
        }
        return v.asDouble();
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
