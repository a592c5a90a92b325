package dev.keywarden.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DemoBannerTest {

    @Test
    void theDemoBannerSaysAnswersAreSimulatedAndDemoModeIsForDevelopmentOnly() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ServeCommand.printDemoBanner(new PrintStream(bytes, true, StandardCharsets.UTF_8), "http://127.0.0.1:8787", "kw_demo");
        String banner = bytes.toString(StandardCharsets.UTF_8);
        assertThat(banner).contains("DEMO MODE").contains("SIMULATED")
                .contains("DEVELOPMENT environment only").contains("staging or").contains("production, serve refuses to start");
    }
}
