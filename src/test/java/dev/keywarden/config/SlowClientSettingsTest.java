package dev.keywarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlowClientSettingsTest {

    @Test
    void slowClientsAreCutByDefaultAfterTenSecondsOfHeadersOrBelowOneKilobyteASecondOfBody() {
        ServerConfig c = ServerSection.parse(Values.ofMap(Map.of()));
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.minBodyRate()).isEqualTo(1024);
    }

    @Test
    void bothCanBeSetAndTheBodyRateTurnedOff() {
        ServerConfig c = ServerSection.parse(Values.ofMap(Map.of("server.header_timeout", "2500ms",
                "KEYWARDEN_MIN_BODY_RATE", "0")));
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.minBodyRate()).isZero();
    }

    @Test
    void aBadValueStopsStartUpWithOneLineNamingTheSetting() {
        assertThatThrownBy(() -> ServerSection.parse(Values.ofMap(Map.of("server.header_timeout", "0s"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.header_timeout (KEYWARDEN_HEADER_TIMEOUT): '0s' must be greater than 0");
        assertThatThrownBy(() -> ServerSection.parse(Values.ofMap(Map.of("server.min_body_rate", "fast"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.min_body_rate (KEYWARDEN_MIN_BODY_RATE): 'fast' must be a size");
    }
}
