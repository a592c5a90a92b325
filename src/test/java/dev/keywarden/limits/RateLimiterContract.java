package dev.keywarden.limits;

import dev.keywarden.config.TierLimits;
import dev.keywarden.limits.Decision.Quota;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenarios every {@link RateLimiter} must pass, run against each implementation by a subclass
 * ({@link LocalRateLimiterTest}, {@link RedisRateLimiterIT}). Time is a fake clock the subclass hands to
 * its limiter, so refill and lockout expiry are tested without sleeping.
 */
abstract class RateLimiterContract {

    /** A fake wall clock in milliseconds (a realistic epoch value: Redis treats small lock values as legacy). */
    final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    final TierLimits tenPerMinute = new TierLimits("t", 10, 0, 0, 0);
    RateLimiter limiter;

    /** A limiter of the implementation under test, deciding at {@code clockMillis}, with state of its own. */
    abstract RateLimiter newLimiter(LongSupplier clockMillis);

    @BeforeEach
    void createLimiter() {
        limiter = newLimiter(now::get);
    }

    @AfterEach
    void closeLimiter() {
        if (limiter != null) {
            limiter.close();
        }
    }

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
            assertThat(d.refusedBy()).isEmpty();
            assertThat(d.retryAfterMillis()).isZero();
            assertThat(d.remaining().requests()).isEqualTo(9 - i);
        }
        Decision refused = acquireAndSettle("p", tenPerMinute, 0, 0);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.refusedBy()).contains(Quota.REQUESTS);
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
        assertThat(first.remaining().outputTokens()).isEqualTo(900);
        // the stream produced 1500 tokens, 1400 more than estimated: refund is negative
        limiter.settle("p", out1000, first, 0, 100 - 1500);
        Decision next = limiter.acquire("p", out1000, 0, 100);
        assertThat(next.admitted()).isFalse();
        assertThat(next.refusedBy()).contains(Quota.OUTPUT_TOKENS);
        // 500 below zero at 1000/min: a little over 30 s until above zero again
        assertThat(next.retryAfterMillis()).isBetween(30_000L, 30_100L);
        now.addAndGet(next.retryAfterMillis());
        assertThat(limiter.acquire("p", out1000, 0, 100).admitted()).isTrue();
    }

    @Test
    void inputTokensRefuseOnceTheBucketIsSpentAndSayWhenItIsAboveZeroAgain() {
        TierLimits in600 = new TierLimits("t", 0, 600, 0, 0);
        Decision big = limiter.acquire("p", in600, 900, 0);
        assertThat(big.admitted()).as("a bucket above zero admits even an estimate larger than what is left").isTrue();
        assertThat(big.remaining().inputTokens()).as("never reported below zero").isZero();
        Decision next = limiter.acquire("p", in600, 1, 0);
        assertThat(next.refusedBy()).contains(Quota.INPUT_TOKENS);
        // 300 below zero at 600/min (10 per second): 301 tokens take 30.1 s
        assertThat(next.retryAfterMillis()).isEqualTo(30_100);
    }

    @Test
    void unusedEstimateComesBackAfterTheCall() {
        TierLimits in1000 = new TierLimits("t", 0, 1000, 0, 0);
        Decision d = limiter.acquire("p", in1000, 800, 0);
        limiter.settle("p", in1000, d, 800 - 50, 0);
        Decision after = limiter.acquire("p", in1000, 0, 0);
        assertThat(after.remaining().inputTokens()).isEqualTo(950);
    }

    @Test
    void aRefundNeverFillsABucketBeyondItsCapacity() {
        TierLimits in1000 = new TierLimits("t", 0, 1000, 0, 0);
        Decision d = limiter.acquire("p", in1000, 10, 0);
        limiter.settle("p", in1000, d, 5_000, 0);
        assertThat(limiter.acquire("p", in1000, 0, 0).remaining().inputTokens()).isEqualTo(1000);
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
        assertThat(c.refusedBy()).contains(Quota.CONCURRENCY);
        assertThat(c.retryAfterMillis()).isEqualTo(1_000);
        limiter.settle("p", two, a, 0, 0);
        assertThat(limiter.acquire("p", two, 0, 0).admitted()).isTrue();
    }

    @Test
    void theFirstExhaustedQuotaNamesTheRefusalAndTheLongestWaitIsTheRetry() {
        TierLimits l = new TierLimits("t", 1, 0, 600, 0);
        assertThat(limiter.acquire("p", l, 0, 1200).admitted()).isTrue();
        Decision refused = limiter.acquire("p", l, 0, 1);
        assertThat(refused.refusedBy()).as("requests are checked first").contains(Quota.REQUESTS);
        // requests: one in 60 s; output: 601 tokens at 10 per second = 60.1 s
        assertThat(refused.retryAfterMillis()).isEqualTo(60_100);
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
    void unlimitedDimensionsNeverRefuse() {
        TierLimits none = new TierLimits("t", 0, 0, 0, 0);
        for (int i = 0; i < 50; i++) {
            assertThat(limiter.acquire("p", none, 1_000_000, 1_000_000).admitted()).isTrue();
        }
    }

    @Test
    void concurrentDecisionsAdmitExactlyTheQuota() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Decision>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(() -> limiter.acquire("p", tenPerMinute, 0, 0));
            }
            int admitted = 0;
            for (Future<Decision> f : pool.invokeAll(calls)) {
                admitted += f.get().admitted() ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
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
        now.addAndGet(899_000);
        assertThat(limiter.lockedOutMillis("10.0.0.1")).isEqualTo(1_000);
        now.addAndGet(1_000);
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
}
