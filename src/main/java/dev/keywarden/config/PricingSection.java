package dev.keywarden.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code pricing.*}: the operator's prices per model. */
final class PricingSection {

    static final Setting FILE = Setting.of("pricing.file", "KEYWARDEN_PRICING_FILE", null,
            "YAML file in the shipped format (models: then per model id input, output, cache_write, cache_read in USD per"
                    + " million tokens) that overrides or adds models").shown("none: the shipped prices (src/main/resources/dev/keywarden/pricing/prices.yaml)");
    static final List<Setting> SETTINGS = List.of(FILE);

    private PricingSection() {
    }

    /** Reads and validates the file now, so a bad price table stops start-up before anything is opened. */
    static PricingConfig parse(Values values, Path workingDir) {
        return values.text(FILE).map(workingDir::resolve).map(PricingConfig::read)
                .orElseGet(() -> new PricingConfig(Optional.empty(), Map.of()));
    }
}
