package dev.keywarden.limits.budget;

import dev.keywarden.state.RedisState;
import dev.keywarden.testing.MutableClock;
import dev.keywarden.testing.RedisTestKeys;
import dev.keywarden.testing.Services;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/**
 * The Redis ledger's scripts against a real Redis and {@link SpendLedgerContract}. Each test's keys start
 * with a prefix of its own (holding the {@code {budget}} tag) and are deleted afterwards.
 */
class RedisSpendLedgerIT extends SpendLedgerContract {

    RedisState redis;
    String prefix;

    @Override
    SpendLedger newLedger(MutableClock clock) {
        Services.assumeRedis();
        redis = RedisState.connect(Services.redisUrl(), Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(1));
        prefix = RedisTestKeys.uniquePrefix("budget") + "{budget}:";
        return new RedisSpendLedger(redis, clock, prefix);
    }

    @AfterEach
    void deleteKeysAndClose() {
        if (redis != null) {
            RedisTestKeys.deleteAll(redis.connection().sync(), prefix);
            redis.close();
        }
    }
}
