package dev.keywarden.pipeline;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What one call cost, priced once when its {@link ExchangeRecord} is built; the audit record, the
 * spend budgets, the cost metric and anomaly detection all read it from there.
 *
 * <p>The rule: a call costs something only when upstream answered it (its upstream status is not 0)
 * and reported tokens (input, output, cache writes or cache reads). It is then priced on the model
 * upstream named, else on the model the request asked for ({@link #model()} is that model either
 * way). Otherwise — refused by the gateway, upstream unreachable, an answer without usage, or a model
 * without a price — the cost is unknown: {@code cost_usd} is null in the audit record, nothing is
 * added to budgets or to {@code keywarden_cost_usd_total}. It is never guessed.
 *
 * @param model the model the call ran on (upstream's answer, else the request's), or null
 * @param usd   the cost in USD, or {@link Double#NaN} when unknown
 */
public record Cost(String model, double usd) {

    /** No model, no cost. */
    public static final Cost NONE = new Cost(null, Double.NaN);

    /** Prices {@code usage} by the rule above. */
    public static Cost of(Usage usage, String requestedModel, int upstreamStatus, Pricing pricing) {
        Usage u = usage == null ? Usage.EMPTY : usage;
        String model = u.model() != null ? u.model() : requestedModel;
        if (upstreamStatus == 0 || u.totalInputTokens() + u.outputTokens() == 0) {
            return model == null ? NONE : new Cost(model, Double.NaN);
        }
        double usd = pricing.usd(model, u);
        return new Cost(model, Double.isFinite(usd) && usd >= 0 ? usd : Double.NaN);
    }

    /** Whether the call has a price. */
    public boolean known() {
        return !Double.isNaN(usd);
    }

    /** The cost in USD, or null when unknown (the audit record's {@code cost_usd}). */
    public Double usdOrNull() {
        return known() ? usd : null;
    }

    /** The cost in nano-dollars rounded up (a budget never under-counts by rounding); 0 when unknown. */
    public long nanos() {
        return known() ? nanosOf(usd) : 0;
    }

    /** {@code usd} (finite, not negative) in nano-dollars, rounded up. */
    public static long nanosOf(double usd) {
        return BigDecimal.valueOf(usd).movePointRight(9).setScale(0, RoundingMode.CEILING).longValueExact();
    }
}
