package dev.keywarden.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.Secret;
import dev.keywarden.testing.Services;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisStateTest {

    @TempDir
    Path tmp;

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return "pw" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Test
    void connectsToTheConfiguredRedisAndReportsHealthyUntilClosed() {
        Services.assumeRedis();
        var config = ConfigLoader.from(Map.of("KEYWARDEN_STATE", "redis",
                "KEYWARDEN_REDIS_URL", Services.redisUrl().toString()), tmp).load();
        RedisState redis = RedisState.connect(config.shared());
        try {
            assertThat(redis.isHealthy()).isTrue();
            assertThat(redis.url()).isEqualTo(Services.redisUrl());
            String key = "kw:test:{" + randomPassword() + "}";
            redis.connection().sync().setex(key, 10, "1");
            assertThat(redis.connection().sync().get(key)).isEqualTo("1");
            redis.connection().sync().del(key);
        } finally {
            redis.close();
        }
        assertThat(redis.isHealthy()).isFalse();
    }

    @Test
    void unreachableRedisStopsStartUpWithOneLineNamingTheSettingTheUrlAndTheFix() throws Exception {
        URI url = URI.create("redis://127.0.0.1:" + closedPort());
        String password = randomPassword();
        long started = System.nanoTime();
        assertThatThrownBy(() -> RedisState.connect(url, Optional.of(Secret.of(password)), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(StateException.class)
                .hasMessageStartingWith("redis.url: cannot reach " + url + " (")
                .hasMessageEndingWith("): start Redis or set state: local")
                .hasMessageNotContaining(password)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void toStringShowsOnlyTheUrl() {
        Services.assumeRedis();
        try (RedisState redis = RedisState.connect(Services.redisUrl(), Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(1))) {
            assertThat(redis).hasToString("RedisState[" + Services.redisUrl() + "]");
        }
    }
}
