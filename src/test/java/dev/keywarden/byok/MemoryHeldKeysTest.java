package dev.keywarden.byok;

import dev.keywarden.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryHeldKeysTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-08T00:00:00Z"));
    final MemoryHeldKeys held = new MemoryHeldKeys(clock);

    static HeldKey key(String user, String keyId) {
        return new HeldKey(user, "prn_" + user, keyId, ByokMode.SESSION_ONLY, "sk-ant-api03-…WXYZ", false, new byte[]{1, 2, 3});
    }

    @Test
    void aHeldKeyEndsAfterTheIdleTimeoutWithoutUseAndUseExtendsIt() {
        held.put("ses_a", key("u1", "k1"), Duration.ofMinutes(30).toMillis(), clock.millis() + Duration.ofHours(12).toMillis());
        clock.advance(Duration.ofMinutes(29));
        assertThat(held.get("ses_a")).isPresent();
        clock.advance(Duration.ofMinutes(29));
        assertThat(held.get("ses_a")).as("used 29 minutes ago").isPresent();
        clock.advance(Duration.ofMinutes(30));
        assertThat(held.get("ses_a")).isEmpty();
    }

    @Test
    void aHeldKeyEndsAtTheSessionsAbsoluteEndHoweverItIsUsed() {
        held.put("ses_a", key("u1", "k1"), Duration.ofMinutes(30).toMillis(), clock.millis() + Duration.ofMinutes(45).toMillis());
        clock.advance(Duration.ofMinutes(25));
        assertThat(held.get("ses_a")).isPresent();
        clock.advance(Duration.ofMinutes(25));
        assertThat(held.get("ses_a")).isEmpty();
    }

    @Test
    void removingAUserForgetsEverySessionOfTheirsAndOnlyTheirs() {
        long end = clock.millis() + 60_000;
        held.put("ses_a", key("u1", "k1"), 60_000, end);
        held.put("ses_b", key("u1", "k1"), 60_000, end);
        held.put("ses_c", key("u2", "k2"), 60_000, end);
        assertThat(held.removeUser("u1")).isTrue();
        assertThat(held.removeUser("u1")).isFalse();
        assertThat(held.get("ses_a")).isEmpty();
        assertThat(held.get("ses_b")).isEmpty();
        assertThat(held.get("ses_c")).isPresent();
    }

    @Test
    void markingInvalidAffectsOnlyTheNamedKey() {
        long end = clock.millis() + 60_000;
        held.put("ses_a", key("u1", "k1"), 60_000, end);
        held.markInvalid("ses_a", "k-other");
        assertThat(held.get("ses_a").orElseThrow().invalid()).isFalse();
        held.markInvalid("ses_a", "k1");
        assertThat(held.get("ses_a").orElseThrow().invalid()).isTrue();
    }
}
