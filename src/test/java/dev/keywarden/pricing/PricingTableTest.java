package dev.keywarden.pricing;

import dev.keywarden.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PricingTableTest {

    @TempDir
    Path dir;

    @Test
    void aCallIsPricedPerTokenKindAtItsModelsRates() {
        // Sonnet 4.5: $3 in, $15 out, $3.75 cache write, $0.30 cache read per million tokens
        double cost = PricingTable.defaults().cost("claude-sonnet-4-5", 1_000_000, 100_000, 200_000, 2_000_000).orElseThrow();
        assertThat(cost).isCloseTo(3.0 + 1.5 + 0.75 + 0.6, within(1e-9));
    }

    @Test
    void aDatedModelIdUsesItsFamilysPrice() {
        PricingTable t = PricingTable.defaults();
        assertThat(t.priceOf("claude-sonnet-4-5-20250929")).isEqualTo(t.priceOf("claude-sonnet-4-5"));
        assertThat(t.priceOf("claude-opus-4-1-20250805").orElseThrow().output()).isEqualTo(75.0);
        // the longest prefix wins: opus-4-5 is not priced as opus-4
        assertThat(t.priceOf("claude-opus-4-5-20251101").orElseThrow().input()).isEqualTo(5.0);
        assertThat(t.priceOf("claude-opus-4-20250514").orElseThrow().input()).isEqualTo(15.0);
    }

    @Test
    void anUnknownModelHasNoPriceRatherThanAGuess() {
        assertThat(PricingTable.defaults().priceOf("gpt-4o")).isEmpty();
        assertThat(PricingTable.defaults().priceOf("claude-sonnet-45")).as("prefixes match only at a dash").isEmpty();
        assertThat(PricingTable.defaults().cost(null, 1, 1, 0, 0)).isEmpty();
    }

    @Test
    void anOperatorFileOverridesAndAddsModels() throws Exception {
        Path f = dir.resolve("prices.yaml");
        Files.writeString(f, "models:\n  claude-sonnet-4-5: {input: 2.5, output: 12.5}\n  my-finetune: {input: 1, output: 2, cache_write: 0, cache_read: 0}\n");
        PricingTable t = PricingTable.withOverrides(f);
        assertThat(t.priceOf("claude-sonnet-4-5").orElseThrow().input()).isEqualTo(2.5);
        assertThat(t.priceOf("claude-sonnet-4-5").orElseThrow().cacheWrite()).as("defaults to 1.25x input").isEqualTo(3.125);
        assertThat(t.priceOf("my-finetune")).isPresent();
        assertThat(t.priceOf("claude-haiku-4-5")).as("other defaults kept").isPresent();
    }

    @Test
    void aBadPriceFileStopsStartUpNamingTheModel() throws Exception {
        Path f = dir.resolve("prices.yaml");
        Files.writeString(f, "models:\n  claude-x: {input: cheap, output: 1}\n");
        assertThatThrownBy(() -> PricingTable.withOverrides(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("pricing.file").hasMessageContaining("claude-x").hasMessageContaining("input");
        assertThatThrownBy(() -> PricingTable.withOverrides(dir.resolve("missing.yaml"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist");
    }
}
