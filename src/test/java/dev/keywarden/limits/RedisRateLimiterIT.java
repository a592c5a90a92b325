package dev.keywarden.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.config.TierLimits;
import dev.keywarden.state.RedisState;
import dev.keywarden.testing.RedisTestKeys;
import dev.keywarden.testing.Services;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis limiter's scripts against a real Redis and the shared {@link RateLimiterContract}: the same
 * rules as the local limiter. Each test's keys start with a prefix of its own and are deleted afterwards.
 */
class RedisRateLimiterIT extends RateLimiterContract {

    RedisState redis;
    String prefix;

    @Override
    RateLimiter newLimiter(LongSupplier clockMillis) {
        Services.assumeRedis();
        redis = RedisState.connect(Services.redisUrl(), Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(1));
        prefix = RedisTestKeys.uniquePrefix("rl");
        return new RedisRateLimiter(redis, prefix, clockMillis);
    }

    @AfterEach
    void deleteKeysAndClose() {
        if (redis != null) {
            RedisTestKeys.deleteAll(redis.connection().sync(), prefix);
            redis.close();
        }
    }

    @Test
    void keysAreHashTaggedPerPrincipal() {
        assertThat(RedisRateLimiter.subjectKey("pr_abc")).isEqualTo("kw:{p:pr_abc}:rl");
    }

    @Test
    void withoutAGivenClockDecisionsRunOnRedisTime() {
        RedisRateLimiter onRedisTime = new RedisRateLimiter(redis, prefix, null);
        TierLimits l = new TierLimits("t", 0, 0, 1000, 2);
        Decision a = onRedisTime.acquire("rt", l, 0, 100);
        Decision b = onRedisTime.acquire("rt", l, 0, 100);
        assertThat(b.remaining().outputTokens()).as("two estimates taken, plus what refilled meanwhile").isBetween(800L, 850L);
        onRedisTime.settle("rt", l, a, 0, 100 - 1300); // 1200 more than estimated
        Decision d = onRedisTime.acquire("rt", l, 0, 100);
        assertThat(d.refusedBy()).contains(Decision.Quota.OUTPUT_TOKENS);
        // 1000 - 100 - 100 - 1200 = -400 tokens at 1000/min: about 24 s until above zero again
        assertThat(d.retryAfterMillis()).isBetween(20_000L, 24_100L);

        String address = "198.51.100.7";
        for (int i = 0; i < 3; i++) {
            onRedisTime.authFailed(address, 3, 60_000);
        }
        assertThat(onRedisTime.lockedOutMillis(address)).isBetween(58_000L, 60_000L);
    }

    @Test
    void aLockFromTheOlderKeyFormatStillHoldsForItsTimeToLive() {
        redis.connection().sync().set(prefix + "{a:203.0.113.9}:lock", "1",
                io.lettuce.core.SetArgs.Builder.px(30_000));
        assertThat(limiter.lockedOutMillis("203.0.113.9")).isBetween(28_000L, 30_000L);
    }
}
