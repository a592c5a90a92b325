package dev.keywarden.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.config.TierLimits;
import dev.keywarden.state.RedisState;
import dev.keywarden.testing.Services;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Redis limiter's scripts against a real Redis: the same rules as the local limiter. */
class RedisRateLimiterIT {

    RedisState redis;
    RedisRateLimiter limiter;
    String subject;

    @BeforeEach
    void connect() {
        Services.assumeRedis();
        redis = RedisState.connect(Services.redisUrl(), Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(1));
        limiter = new RedisRateLimiter(redis);
        subject = "pr_test" + Long.toHexString(new SecureRandom().nextLong());
    }

    @AfterEach
    void close() {
        if (redis != null) {
            redis.connection().sync().del(RedisRateLimiter.subjectKey(subject));
            redis.close();
        }
    }

    @Test
    void keysAreHashTaggedPerPrincipal() {
        assertThat(RedisRateLimiter.subjectKey("pr_abc")).isEqualTo("kw:{p:pr_abc}:rl");
    }

    @Test
    void concurrentDecisionsAdmitExactlyTheQuota() throws Exception {
        TierLimits ten = new TierLimits("t", 10, 0, 0, 0);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Decision>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(() -> limiter.acquire(subject, ten, 0, 0));
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
    void concurrencySlotIsHeldUntilSettledAndTokensAreCorrected() {
        TierLimits l = new TierLimits("t", 0, 0, 1000, 2);
        Decision a = limiter.acquire(subject, l, 0, 100);
        Decision b = limiter.acquire(subject, l, 0, 100);
        Decision c = limiter.acquire(subject, l, 0, 100);
        assertThat(a.admitted()).isTrue();
        assertThat(b.admitted()).isTrue();
        assertThat(b.outputRemaining()).as("two estimates taken, plus what refilled meanwhile").isBetween(800L, 850L);
        assertThat(c.admitted()).isFalse();
        assertThat(c.limitedBy()).isEqualTo("concurrency");
        limiter.settle(subject, l, a, 0, 100 - 1300); // 1200 more than estimated
        Decision d = limiter.acquire(subject, l, 0, 100);
        assertThat(d.admitted()).isFalse();
        assertThat(d.limitedBy()).isEqualTo("output-tokens");
        // 1000 - 100 - 100 - 1200 = -400 tokens at 1000/min: about 24 s until above zero again
        assertThat(d.retryAfterMillis()).isBetween(20_000L, 24_100L);
    }

    @Test
    void addressLockoutAfterThresholdFailures() {
        String address = "198.51.100." + new SecureRandom().nextInt(250);
        try {
            for (int i = 0; i < 2; i++) {
                limiter.authFailed(address, 3, 60_000);
            }
            assertThat(limiter.lockedOutMillis(address)).isZero();
            limiter.authFailed(address, 3, 60_000);
            assertThat(limiter.lockedOutMillis(address)).isBetween(58_000L, 60_000L);
        } finally {
            redis.connection().sync().del("kw:{a:" + address + "}:lock", "kw:{a:" + address + "}:fails");
        }
    }
}
