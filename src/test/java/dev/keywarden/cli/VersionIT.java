package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.testing.KeywardenJar;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code keywarden --version} prints the version the jar was built as, not a placeholder. */
class VersionIT {

    @Test
    void versionFlagPrintsTheBuiltVersion() throws Exception {
        String expected = System.getProperty("keywarden.version");
        assertThat(expected).as("the build passes the project version to the test").isNotBlank();
        Process p = new ProcessBuilder(KeywardenJar.command("--version")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).isEqualTo("keywarden " + expected);
    }
}
