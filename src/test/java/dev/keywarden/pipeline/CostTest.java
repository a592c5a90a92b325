package dev.keywarden.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one pricing rule every reader of a call's cost shares (audit, budgets, metrics). */
class CostTest {

    /** $3 per million input tokens, $15 per million output tokens, for the sonnet family only. */
    static final Pricing SONNET = (model, u) -> model != null && model.startsWith("claude-sonnet")
            ? (u.inputTokens() * 3.0 + u.outputTokens() * 15.0) / 1e6 : Double.NaN;

    static Usage usage(long in, long out, String model) {
        return new Usage(in, out, 0, 0, model, "end_turn");
    }

    @Test
    void aCallUpstreamAnsweredWithTokensIsPricedOnTheModelUpstreamNamed() {
        Cost c = Cost.of(usage(1000, 100, "claude-sonnet-4-5-20250929"), "claude-sonnet-4-5", 200, SONNET);
        assertThat(c.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(c.usd()).isEqualTo(0.0045);
        assertThat(c.usdOrNull()).isEqualTo(0.0045);
        assertThat(c.nanos()).isEqualTo(4_500_000);
    }

    @Test
    void withoutAModelInTheAnswerTheRequestedModelIsPriced() {
        Cost c = Cost.of(usage(1000, 0, null), "claude-sonnet-4-5", 200, SONNET);
        assertThat(c.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(c.known()).isTrue();
    }

    @Test
    void aCallUpstreamDidNotAnswerCostsNothingEvenWithUsage() {
        Cost c = Cost.of(usage(1000, 100, "claude-sonnet-4-5"), "claude-sonnet-4-5", 0, SONNET);
        assertThat(c.known()).isFalse();
        assertThat(c.usdOrNull()).isNull();
        assertThat(c.nanos()).isZero();
        assertThat(c.model()).as("the model is still the call's").isEqualTo("claude-sonnet-4-5");
    }

    @Test
    void anAnswerWithoutTokensCostsNothing() {
        Cost c = Cost.of(Usage.EMPTY, "claude-sonnet-4-5", 529, SONNET);
        assertThat(c.known()).isFalse();
        assertThat(c.nanos()).isZero();
    }

    @Test
    void aModelWithoutAPriceHasAnUnknownCostNeverAGuess() {
        Cost c = Cost.of(usage(1000, 100, "some-other-model"), null, 200, SONNET);
        assertThat(c.known()).isFalse();
        assertThat(c.usdOrNull()).isNull();
        assertThat(c.nanos()).isZero();
    }

    @Test
    void nanoDollarsRoundUpSoABudgetNeverUnderCounts() {
        Cost c = Cost.of(usage(1, 0, "claude-sonnet-4-5"), null, 200, SONNET);
        assertThat(c.usd()).isEqualTo(3e-6);
        assertThat(c.nanos()).isEqualTo(3000);
        assertThat(Cost.nanosOf(1.0000000001)).isEqualTo(1_000_000_001L);
    }

    @Test
    void nothingCallsWithoutARequestOrAnswerModel() {
        assertThat(Cost.of(Usage.EMPTY, null, 0, SONNET)).isSameAs(Cost.NONE);
    }
}
