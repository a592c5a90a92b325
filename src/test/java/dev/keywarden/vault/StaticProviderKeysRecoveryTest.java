package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.testing.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A rejected ANTHROPIC_API_KEY becomes available again when upstream accepts it, without a restart. */
class StaticProviderKeysRecoveryTest {

    final List<SecurityEvent> events = new ArrayList<>();
    final ProviderKey key = new ProviderKey("ANTHROPIC_API_KEY", TestKeys.fakeProviderKey());
    final StaticProviderKeys keys = new StaticProviderKeys(key, events::add);

    @Test
    void aPeriodicRecheckThatUpstreamAcceptsMakesTheKeyAvailableWithOneInfoEvent() {
        keys.rejectedByUpstream(key, 401);
        assertThat(keys.unavailable()).isPresent();

        assertThat(keys.recheck(secret -> new KeyVerification.Rejected(401, "authentication_error"))).isFalse();
        assertThat(keys.recheck(secret -> new KeyVerification.Unverifiable("timeout"))).isFalse();
        assertThat(keys.unavailable()).as("still rejected").isPresent();

        assertThat(keys.recheck(secret -> new KeyVerification.Valid())).isTrue();
        assertThat(keys.unavailable()).isEmpty();
        assertThat(events).extracting(SecurityEvent::type).containsExactly("provider_key.rejected", "provider_key.recovered");
        assertThat(events.get(1).alert()).isFalse();
        assertThat(events.toString()).doesNotContain(key.secret());
    }

    @Test
    void aTrustedKeyIsNeverAskedAboutUpstream() {
        AtomicInteger asked = new AtomicInteger();
        assertThat(keys.recheck(secret -> {
            asked.incrementAndGet();
            return new KeyVerification.Valid();
        })).isTrue();
        assertThat(asked).hasValue(0);
        keys.acceptedByUpstream(key);
        assertThat(events).isEmpty();
    }

    @Test
    void aSuccessfulCallRecoversTheKeyAndALater401AlertsAgain() {
        keys.rejectedByUpstream(key, 401);
        keys.acceptedByUpstream(key);
        assertThat(keys.unavailable()).isEmpty();
        keys.rejectedByUpstream(key, 401);
        assertThat(keys.unavailable()).isPresent();
        assertThat(events).extracting(SecurityEvent::type)
                .containsExactly("provider_key.rejected", "provider_key.recovered", "provider_key.rejected");
    }
}
