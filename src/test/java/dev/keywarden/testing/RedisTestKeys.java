package dev.keywarden.testing;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.security.SecureRandom;

/**
 * Key prefixes of one test run in the shared test Redis, and their removal afterwards. Other tests use
 * the same Redis concurrently, so a test deletes only the keys under its own prefix (never FLUSHALL).
 */
public final class RedisTestKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private RedisTestKeys() {
    }

    /** A prefix no other run uses: {@code kwtest:<what>:<random>:}. */
    public static String uniquePrefix(String what) {
        return "kwtest:" + what + ":" + Long.toHexString(RANDOM.nextLong()) + ":";
    }

    /** Deletes every key that starts with {@code prefix}. */
    public static void deleteAll(RedisCommands<String, String> redis, String prefix) {
        String pattern = prefix.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?").replace("[", "\\[") + "*";
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(500));
            if (!page.getKeys().isEmpty()) {
                redis.del(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
    }
}
