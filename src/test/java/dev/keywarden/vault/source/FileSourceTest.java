package dev.keywarden.vault.source;

import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.source.SecretSourceException.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FileSourceTest {

    @TempDir
    Path dir;

    private final String key = TestKeys.canaryProviderKey();

    @BeforeEach
    void posixOnly() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file permissions");
    }

    private Path write(String name, String content, String mode) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void ownerOnlyFileIsReadWithoutItsTrailingNewline() throws IOException {
        Path file = write("anthropic.key", key + "\n", "rw-------");

        SecretSource source = SecretSources.parse("file:" + file, Map.of(), dir);

        assertThat(new String(source.fetch(), StandardCharsets.UTF_8)).isEqualTo(key);
        assertThat(source.describe()).isEqualTo("file:" + file.toAbsolutePath());
    }

    @Test
    void relativePathResolvesAgainstTheWorkingDirectory() throws IOException {
        Files.createDirectories(dir.resolve("keys"));
        write("keys/k", key, "r--------");

        assertThat(new String(SecretSources.parse("file:keys/k", Map.of(), dir).fetch(), StandardCharsets.UTF_8)).isEqualTo(key);
    }

    @Test
    void groupReadableFileIsRefusedWithChmodAdvice() throws IOException {
        Path file = write("k", key, "rw-r-----");

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("file:" + file, Map.of(), dir).fetch());

        assertThat(e.kind()).isEqualTo(Kind.DENIED);
        assertThat(e.getMessage()).contains("file:" + file).contains("readable by its group").contains("rw-r-----")
                .contains("chmod 600 " + file);
        Leaks.assertNoSecretIn(e, key);
    }

    @Test
    void worldReadableFileIsRefused() throws IOException {
        Path file = write("k", key, "rw-r--r--");

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("file:" + file, Map.of(), dir).fetch());

        assertThat(e.getMessage()).contains("readable by all users").contains("defaultMode: 0400")
                .as("names only fixes a user can apply (the allow switch is not a setting)").doesNotContain("options");
    }

    @Test
    void readableFileIsAcceptedWithAWarningOnlyWhenAllowedExplicitly() throws IOException {
        Path file = write("k", key, "rw-r--r--");
        List<String> warnings = new ArrayList<>();
        SourceOptions options = SourceOptions.builder().allowFilesReadableByOthers(true).warnings(warnings::add).build();

        byte[] value = SecretSources.parse("file:" + file, Map.of(), dir, options).fetch();

        assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo(key);
        assertThat(warnings).singleElement().asString().contains("readable by all users").contains("chmod 600").doesNotContain(key);
    }

    @Test
    void symlinkIsFollowedAndItsTargetChecked() throws IOException {
        Path target = write("target", key, "rw-------");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);

        assertThat(new String(SecretSources.parse("file:" + link, Map.of(), dir).fetch(), StandardCharsets.UTF_8)).isEqualTo(key);

        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("file:" + link, Map.of(), dir).fetch()).kind()).isEqualTo(Kind.DENIED);
    }

    @Test
    void missingFileSaysToCreateItPrivately() {
        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("file:nope/k", Map.of(), dir).fetch());

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("no such file").contains("0600");
    }

    @Test
    void directoryIsRefused() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("d"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

        assertThat(catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("file:" + sub, Map.of(), dir).fetch()).getMessage()).contains("is a directory");
    }

    @Test
    void oversizedFileIsRefusedWithoutQuotingIt() throws IOException {
        Path file = write("big", key + "x".repeat(FileSource.MAX_BYTES), "rw-------");

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("file:" + file, Map.of(), dir).fetch());

        assertThat(e.getMessage()).contains("larger than");
        Leaks.assertNoSecretIn(e, key);
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        Path file = write("empty", "\n", "rw-------");

        assertThat(catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("file:" + file, Map.of(), dir).fetch()).getMessage()).contains("empty");
    }
}
