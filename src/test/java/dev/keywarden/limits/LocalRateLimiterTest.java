package dev.keywarden.limits;

import dev.keywarden.config.TierLimits;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process limiter against the shared {@link RateLimiterContract}, plus what only it does. */
class LocalRateLimiterTest extends RateLimiterContract {

    @Override
    RateLimiter newLimiter(LongSupplier clockMillis) {
        return new LocalRateLimiter(clockMillis);
    }

    @Test
    void fallbackDividesLimitsByInstanceCount() {
        assertThat(new TierLimits("t", 10, 1000, 100, 3).dividedBy(2)).isEqualTo(new TierLimits("t", 5, 500, 50, 1));
        assertThat(new TierLimits("t", 1, 0, 0, 0).dividedBy(4).requestsPerMinute()).isEqualTo(1);
    }
}
