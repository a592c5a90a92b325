package dev.keywarden.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's price table ({@code pricing.file}), read and validated at load: model id to prices in
 * USD per million tokens, overriding or adding to the shipped table. This class also holds the one
 * reader of the price-table format ({@code models: {<id>: {input, output, cache_write, cache_read}}}),
 * which the pricing package uses for the shipped table too.
 *
 * @param file   the file, when configured
 * @param models the file's prices (empty without a file)
 */
public record PricingConfig(Optional<Path> file, Map<String, Prices> models) {

    /**
     * One model's prices in USD per million tokens, each 0 or more; cache prices default to 1.25x (write)
     * and 0.1x (read) the input price.
     */
    public record Prices(double input, double output, double cacheWrite, double cacheRead) {
        public Prices {
            for (double p : new double[] {input, output, cacheWrite, cacheRead}) {
                if (!(p >= 0) || Double.isInfinite(p)) {
                    throw new IllegalArgumentException("a price must be a number of dollars per million tokens, 0 or more");
                }
            }
        }
    }

    public PricingConfig {
        models = Map.copyOf(models);
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * The price table in {@code file}.
     *
     * @throws ConfigException naming {@code pricing.file} (and the model) when the file is missing or wrong
     */
    public static PricingConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(PricingSection.FILE.label() + ": " + file.toAbsolutePath()
                    + " does not exist; point it at a YAML file with models: {<model id>: {input: 3.0, output: 15.0, ...}}");
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(PricingSection.FILE.label() + ": " + file.toAbsolutePath() + " is not valid YAML; fix the file");
        }
        return new PricingConfig(Optional.of(file), prices(root, file.getFileName().toString()));
    }

    /** A price table in the same format from {@code in} ({@code where} names it in messages). */
    public static Map<String, Prices> read(InputStream in, String where) throws IOException {
        return prices(YAML.readTree(in), where);
    }

    private static Map<String, Prices> prices(JsonNode root, String where) {
        JsonNode models = root == null ? null : root.get("models");
        if (models == null || !models.isObject()) {
            throw new ConfigException("pricing.file: " + where + " needs a top-level 'models:' mapping of model id to prices");
        }
        Map<String, Prices> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode p = e.getValue();
            try {
                out.put(e.getKey(), new Prices(number(p, "input"), number(p, "output"),
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
}
