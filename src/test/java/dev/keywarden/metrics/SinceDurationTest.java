package dev.keywarden.metrics;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SinceDurationTest {

    @Test
    void minutesHoursDaysAndWeeksParse() {
        assertThat(SinceDuration.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(SinceDuration.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(SinceDuration.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(SinceDuration.parse("2w")).isEqualTo(Duration.ofDays(14));
    }

    @Test
    void anythingElseIsRefusedNamingTheAcceptedForms() {
        for (String bad : new String[]{"7", "d", "0d", "-1h", "7 days", "1y", ""}) {
            assertThatThrownBy(() -> SinceDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("e.g. 30m, 24h, 7d");
        }
    }
}
