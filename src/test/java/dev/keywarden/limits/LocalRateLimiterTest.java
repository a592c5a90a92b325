package dev.keywarden.limits;

import dev.keywarden.config.TierLimits;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalRateLimiterTest {

    final AtomicLong now = new AtomicLong(1_000_000);
    final LocalRateLimiter limiter = new LocalRateLimiter(now::get);
    final TierLimits tenPerMinute = new TierLimits("t", 10, 0, 0, 0);

    private Decision acquireAndSettle(String subject, TierLimits limits, long in, long out) {
        Decision d = limiter.acquire(subject, limits, in, out);
        if (d.admitted()) {
            limiter.settle(subject, limits, d, in, out);
        }
        return d;
    }

    @Test
    void tenRequestsPerMinuteAdmitsExactlyTenThenRefusesWithRetryAfter() {
        for (int i = 0; i < 10; i++) {
            Decision d = acquireAndSettle("p", tenPerMinute, 0, 0);
            assertThat(d.admitted()).isTrue();
            assertThat(d.requestsRemaining()).isEqualTo(9 - i);
        }
        Decision refused = acquireAndSettle("p", tenPerMinute, 0, 0);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.limitedBy()).isEqualTo("requests");
        assertThat(refused.retryAfterMillis()).isEqualTo(6_000);
    }

    @Test
    void bucketRefillsContinuouslyOneRequestEverySixSeconds() {
        for (int i = 0; i < 10; i++) {
            acquireAndSettle("p", tenPerMinute, 0, 0);
        }
        now.addAndGet(5_999);
        assertThat(acquireAndSettle("p", tenPerMinute, 0, 0).admitted()).isFalse();
        now.addAndGet(1);
        assertThat(acquireAndSettle("p", tenPerMinute, 0, 0).admitted()).isTrue();
        assertThat(acquireAndSettle("p", tenPerMinute, 0, 0).admitted()).isFalse();
    }

    @Test
    void principalsHaveSeparateBuckets() {
        for (int i = 0; i < 10; i++) {
            acquireAndSettle("a", tenPerMinute, 0, 0);
        }
        assertThat(acquireAndSettle("a", tenPerMinute, 0, 0).admitted()).isFalse();
        assertThat(acquireAndSettle("b", tenPerMinute, 0, 0).admitted()).isTrue();
    }

    @Test
    void outputEstimateIsChargedThenCorrectedFromUsageSoOneOvershootRefusesTheNextRequest() {
        TierLimits out1000 = new TierLimits("t", 0, 0, 1000, 0);
        Decision first = limiter.acquire("p", out1000, 0, 100);
        assertThat(first.admitted()).isTrue();
        assertThat(first.outputRemaining()).isEqualTo(900);
        // the stream produced 1500 tokens, 1400 more than estimated: refund is negative
        limiter.settle("p", out1000, first, 0, 100 - 1500);
        Decision next = limiter.acquire("p", out1000, 0, 100);
        assertThat(next.admitted()).isFalse();
        assertThat(next.limitedBy()).isEqualTo("output-tokens");
        // 500 below zero at 1000/min: a little over 30 s until above zero again
        assertThat(next.retryAfterMillis()).isBetween(30_000L, 30_100L);
        now.addAndGet(next.retryAfterMillis());
        assertThat(limiter.acquire("p", out1000, 0, 100).admitted()).isTrue();
    }

    @Test
    void unusedEstimateComesBackAfterTheCall() {
        TierLimits in1000 = new TierLimits("t", 0, 1000, 0, 0);
        Decision d = limiter.acquire("p", in1000, 800, 0);
        limiter.settle("p", in1000, d, 800 - 50, 0);
        Decision after = limiter.acquire("p", in1000, 0, 0);
        assertThat(after.inputRemaining()).isEqualTo(950);
    }

    @Test
    void concurrencySlotIsHeldUntilSettled() {
        TierLimits two = new TierLimits("t", 0, 0, 0, 2);
        Decision a = limiter.acquire("p", two, 0, 0);
        Decision b = limiter.acquire("p", two, 0, 0);
        Decision c = limiter.acquire("p", two, 0, 0);
        assertThat(a.admitted()).isTrue();
        assertThat(b.admitted()).isTrue();
        assertThat(c.admitted()).isFalse();
        assertThat(c.limitedBy()).isEqualTo("concurrency");
        limiter.settle("p", two, a, 0, 0);
        assertThat(limiter.acquire("p", two, 0, 0).admitted()).isTrue();
    }

    @Test
    void refusedRequestChargesNothing() {
        TierLimits l = new TierLimits("t", 1, 0, 0, 0);
        assertThat(limiter.acquire("p", l, 0, 0).admitted()).isTrue();
        assertThat(limiter.acquire("p", l, 0, 0).admitted()).isFalse();
        now.addAndGet(60_000);
        assertThat(limiter.acquire("p", l, 0, 0).admitted()).isTrue();
    }

    @Test
    void addressIsLockedOutAfterThresholdFailuresWithinAMinuteAndOthersAreNot() {
        for (int i = 0; i < 4; i++) {
            limiter.authFailed("10.0.0.1", 5, 900_000);
        }
        assertThat(limiter.lockedOutMillis("10.0.0.1")).isZero();
        limiter.authFailed("10.0.0.1", 5, 900_000);
        assertThat(limiter.lockedOutMillis("10.0.0.1")).isEqualTo(900_000);
        assertThat(limiter.lockedOutMillis("10.0.0.2")).isZero();
        now.addAndGet(900_000);
        assertThat(limiter.lockedOutMillis("10.0.0.1")).isZero();
    }

    @Test
    void failuresSpreadOverMoreThanAMinuteDoNotLockOut() {
        for (int i = 0; i < 10; i++) {
            limiter.authFailed("10.0.0.1", 5, 900_000);
            now.addAndGet(20_000);
        }
        assertThat(limiter.lockedOutMillis("10.0.0.1")).isZero();
    }

    @Test
    void headersDescribeQuotaRemainingAndSecondsToFull() {
        TierLimits l = new TierLimits("pro", 50, 100_000, 20_000, 10);
        Decision d = limiter.acquire("p", l, 100, 1000);
        var h = RateLimitHeaders.of(l, d);
        assertThat(h.get("RateLimit-Policy")).isEqualTo(
                "\"requests\";q=50;w=60, \"input-tokens\";q=100000;w=60, \"output-tokens\";q=20000;w=60");
        assertThat(h.get("RateLimit")).isEqualTo(
                "\"requests\";r=49;t=2, \"input-tokens\";r=99900;t=1, \"output-tokens\";r=19000;t=3");
    }

    @Test
    void fallbackDividesLimitsByInstanceCount() {
        assertThat(new TierLimits("t", 10, 1000, 100, 3).dividedBy(2)).isEqualTo(new TierLimits("t", 5, 500, 50, 1));
        assertThat(new TierLimits("t", 1, 0, 0, 0).dividedBy(4).requestsPerMinute()).isEqualTo(1);
    }
}
