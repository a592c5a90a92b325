package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FakeUpstreamOptionsTest {

    @Test
    void defaultsListenOnLoopbackEphemeralPortWithoutLatencyOrPacing() {
        FakeUpstreamOptions o = FakeUpstreamOptions.defaults("k");

        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.port()).isZero();
        assertThat(o.apiKey()).isEqualTo("k");
        assertThat(o.latency()).isEqualTo(Duration.ZERO);
        assertThat(o.tokensPerSecond()).isZero();
    }

    @Test
    void withersChangeOnlyTheirSetting() {
        FakeUpstreamOptions o = FakeUpstreamOptions.defaults("k")
                .withPort(8089).withLatency(Duration.ofMillis(5)).withTokensPerSecond(40);

        assertThat(o).isEqualTo(new FakeUpstreamOptions("127.0.0.1", 8089, "k", Duration.ofMillis(5), 40));
    }

    @Test
    void invalidSettingsAreRefusedWithAMessageNamingThem() {
        FakeUpstreamOptions o = FakeUpstreamOptions.defaults("k");

        assertThatThrownBy(() -> o.withPort(70_000)).hasMessage("port must be between 0 and 65535 but was 70000");
        assertThatThrownBy(() -> o.withLatency(Duration.ofMillis(-1))).hasMessageContaining("latency must not be negative");
        assertThatThrownBy(() -> o.withTokensPerSecond(-3)).hasMessageContaining("tokensPerSecond must be 0 (unlimited) or more");
        assertThatThrownBy(() -> FakeUpstreamOptions.defaults(" ")).hasMessage("apiKey must not be blank");
        assertThatThrownBy(() -> o.withHost("")).hasMessage("host must not be blank");
    }

    @Test
    void toStringNeverShowsTheKey() {
        assertThat(FakeUpstreamOptions.defaults("secret-value-1234").toString())
                .doesNotContain("secret-value-1234").contains("[redacted]");
    }

    @Test
    void randomApiKeyIsObviouslyFakeAndNeverRepeats() {
        String a = FakeUpstreamOptions.randomApiKey();
        String b = FakeUpstreamOptions.randomApiKey();

        assertThat(a).matches("sk-ant-fake-[A-Za-z0-9]{32}").isNotEqualTo(b);
        assertThat(a).doesNotStartWith("sk-ant-api03-");
    }
}
