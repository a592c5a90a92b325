package dev.keywarden.vault.source;

import dev.keywarden.config.Environment;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.source.SecretSourceException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class DotEnvSourceTest {

    @TempDir
    Path dir;

    private final String key = TestKeys.canaryProviderKey();
    private final List<String> warnings = new ArrayList<>();

    private SourceOptions in(Environment environment) {
        return SourceOptions.builder().environment(environment).warnings(warnings::add).build();
    }

    @Test
    void dotenvIsRefusedInProduction() throws IOException {
        Files.writeString(dir.resolve(".env"), "ANTHROPIC_API_KEY=" + key + "\n");

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("dotenv:ANTHROPIC_API_KEY", Map.of(), dir, in(Environment.PRODUCTION)));

        assertThat(e.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("dotenv:ANTHROPIC_API_KEY@" + dir.resolve(".env"))
                .contains("development only").contains("refused in production").contains("env:");
        Leaks.assertNoSecretIn(e, key);
    }

    @Test
    void dotenvIsRefusedWhenTheEnvironmentIsNotSaidToBeDevelopment() {
        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("dotenv:ANTHROPIC_API_KEY", Map.of(), dir));

        assertThat(e.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("KEYWARDEN_ENV=development");
    }

    @Test
    void developmentReadsTheVariableAndWarnsNamingTheFile() throws IOException {
        Files.writeString(dir.resolve(".env"), "# keys\nOTHER=1\nexport ANTHROPIC_API_KEY=\"" + key + "\"\n");

        SecretSource source = SecretSources.parse("dotenv:ANTHROPIC_API_KEY", Map.of(), dir, in(Environment.DEVELOPMENT));

        assertThat(new String(source.fetch(), StandardCharsets.UTF_8)).isEqualTo(key);
        assertThat(warnings).singleElement().asString().contains(dir.resolve(".env").toString()).contains("development only")
                .doesNotContain(key);
    }

    @Test
    void keywardenEnvDevelopmentInTheEnvironmentMapAllowsIt() throws IOException {
        Path file = Files.writeString(dir.resolve("dev.env"), "K=" + key + " # a comment\n");

        SecretSource source = SecretSources.parse("dotenv:K@dev.env", Map.of("KEYWARDEN_ENV", "development"), dir,
                SourceOptions.builder().warnings(warnings::add).build());

        assertThat(new String(source.fetch(), StandardCharsets.UTF_8)).isEqualTo(key);
        assertThat(source.describe()).isEqualTo("dotenv:K@" + file.toAbsolutePath());
    }

    @Test
    void missingVariableIsNamed() throws IOException {
        Files.writeString(dir.resolve(".env"), "OTHER=" + key + "\n");

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("dotenv:ANTHROPIC_API_KEY", Map.of(), dir, in(Environment.DEVELOPMENT)).fetch());

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("has no variable ANTHROPIC_API_KEY").contains("ANTHROPIC_API_KEY=...");
        Leaks.assertNoSecretIn(e, key);
    }

    @Test
    void malformedLineIsReportedByNumberNotContent() throws IOException {
        Files.writeString(dir.resolve(".env"), "A=1\n" + key + "\n");

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("dotenv:A", Map.of(), dir, in(Environment.DEVELOPMENT)).fetch());

        assertThat(e.getMessage()).contains("line 2").contains("not KEY=VALUE");
        Leaks.assertNoSecretIn(e, key);
    }

    @Test
    void missingFileIsReported() {
        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("dotenv:A@nope.env", Map.of(), dir, in(Environment.DEVELOPMENT)).fetch());

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("nope.env").contains("no such file");
    }
}
