package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class FakeUpstreamCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpListsEveryOption() {
        int code = run("fake-upstream", "--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("--port", "--host", "--api-key", "--latency-ms", "--tokens-per-second",
                "x-fake-scenario", "fake:NAME");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--port|-1|--port must be between 0 and 65535 but was -1",
            "--latency-ms|-5|--latency-ms must not be negative but was -5",
            "--tokens-per-second|-2|--tokens-per-second must be 0 (unlimited) or more but was -2",
    })
    void invalidOptionsExitWithAUsageErrorNamingTheOption(String option, String value, String message) {
        int code = run("fake-upstream", option, value, "--api-key", "test-only-key");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains(message);
    }
}
