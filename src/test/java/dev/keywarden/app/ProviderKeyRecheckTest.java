package dev.keywarden.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.vault.KeyVerification;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.StaticProviderKeys;
import dev.keywarden.testing.TestKeys;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The serve wiring re-checks a rejected ANTHROPIC_API_KEY on a timer, so readiness recovers with no call arriving. */
class ProviderKeyRecheckTest {

    @Test
    void aRejectedKeyIsReCheckedOnATimerUntilUpstreamAcceptsItThenNoMore() throws Exception {
        ProviderKey key = new ProviderKey("ANTHROPIC_API_KEY", TestKeys.fakeProviderKey());
        StaticProviderKeys keys = new StaticProviderKeys(key, e -> { });
        keys.rejectedByUpstream(key, 401);
        AtomicBoolean upstreamAccepts = new AtomicBoolean(false);
        AtomicInteger asked = new AtomicInteger();
        try (AutoCloseable timer = ProviderKeysWiring.recheckWhileRejected(keys, secret -> {
            asked.incrementAndGet();
            return upstreamAccepts.get() ? new KeyVerification.Valid() : new KeyVerification.Rejected(401, "authentication_error");
        }, Duration.ofMillis(20))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (asked.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(keys.unavailable()).isPresent();
            upstreamAccepts.set(true);
            while (keys.unavailable().isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(keys.unavailable()).as("recovered by the timer").isEmpty();
            int after = asked.get();
            Thread.sleep(200);
            assertThat(asked.get()).as("a trusted key is not asked about").isEqualTo(after);
        }
    }
}
