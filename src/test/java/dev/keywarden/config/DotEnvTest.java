package dev.keywarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one .env reader (configuration and {@code dotenv:} source): syntax, precedence of later lines, errors by line number. */
class DotEnvTest {

    @TempDir
    Path dir;

    @Test
    void exportQuotesCommentsAndTheLastDefinitionWin() {
        Map<String, String> vars = DotEnv.parse("""
                # a comment
                export A="quoted # not a comment"
                B='single'
                C=plain value # trailing comment
                D=
                  E = spaced\r
                A=again
                """);
        assertThat(vars).containsExactly(Map.entry("A", "again"), Map.entry("B", "single"), Map.entry("C", "plain value"),
                Map.entry("D", ""), Map.entry("E", "spaced"));
    }

    @Test
    void aMalformedLineIsNamedByNumberNeverByContent() {
        String secret = "sk-ant-not-" + System.nanoTime();
        DotEnv.MalformedLineException e = catchThrowableOfType(DotEnv.MalformedLineException.class,
                () -> DotEnv.parse("OK=1\n\n" + secret + "\n"));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.getMessage()).isEqualTo("line 3 is not KEY=VALUE").doesNotContain(secret);
    }

    @Test
    void theLoaderNamesTheFileAndTheLine() throws Exception {
        Path file = Files.writeString(dir.resolve(".env"), "=nothing\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.from(Map.of(), dir).load());
        assertThat(e.getMessage()).isEqualTo(".env: line 1 of " + file.toAbsolutePath() + " is not KEY=VALUE; fix or remove that line");
    }
}
