package dev.keywarden.limits.budget;

/**
 * A pair of budget limits in nano-dollars. {@code null} means "not set here" (fall back to the tier's
 * default), {@code 0} means "no limit".
 */
public record Allowance(Long dailyNanos, Long monthlyNanos) {

    public static final Allowance UNSET = new Allowance(null, null);
    public static final Allowance UNLIMITED = new Allowance(0L, 0L);

    /** This allowance's limit for {@code period}, else {@code fallback}'s, else 0 (no limit). */
    public long limit(Period period, Allowance fallback) {
        Long own = period == Period.DAY ? dailyNanos : monthlyNanos;
        if (own != null) {
            return own;
        }
        Long other = fallback == null ? null : period == Period.DAY ? fallback.dailyNanos : fallback.monthlyNanos;
        return other == null ? 0 : other;
    }

    /** For logs: {@code USD 1/day, USD 10/month}, {@code no limit} for 0, {@code tier default} when unset. */
    public String describe() {
        return part(dailyNanos) + "/day, " + part(monthlyNanos) + "/month";
    }

    private static String part(Long nanos) {
        return nanos == null ? "tier default" : nanos == 0 ? "no limit" : Usd.format(nanos);
    }
}
