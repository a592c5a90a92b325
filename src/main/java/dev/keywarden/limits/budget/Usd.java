package dev.keywarden.limits.budget;

import dev.keywarden.pipeline.Cost;
import dev.keywarden.config.BudgetSettings;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money as whole nano-dollars (1 USD = 10^9), so counters add exactly in Java, SQL and Redis. A cost is
 * rounded up to the next nano-dollar (a budget never under-counts by rounding).
 */
public final class Usd {

    public static final long NANOS_PER_USD = 1_000_000_000L;

    private Usd() {
    }

    /** {@code usd} in nano-dollars, rounded up; negative or non-finite values are refused. */
    public static long toNanos(double usd) {
        if (!Double.isFinite(usd) || usd < 0) {
            throw new IllegalArgumentException("must be a non-negative amount of USD");
        }
        return Cost.nanosOf(usd);
    }

    /** Parses an operator's amount such as {@code 10}, {@code 0.5} or {@code 0.0001} (the configuration's syntax). */
    public static long parse(String raw) {
        return BudgetSettings.usdNanos(raw);
    }

    /** For messages: {@code USD 0.0001}, {@code USD 12.5} (trailing zeros dropped). */
    public static String format(long nanos) {
        BigDecimal v = BigDecimal.valueOf(nanos).movePointLeft(9).stripTrailingZeros();
        return "USD " + (v.scale() < 0 ? v.setScale(0) : v).toPlainString();
    }

    /** For audit details and APIs: the plain decimal amount. */
    public static String plain(long nanos) {
        BigDecimal v = BigDecimal.valueOf(nanos).movePointLeft(9).stripTrailingZeros();
        return (v.scale() < 0 ? v.setScale(0) : v).toPlainString();
    }
}
