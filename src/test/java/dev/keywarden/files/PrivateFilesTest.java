package dev.keywarden.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {

    @TempDir
    Path tmp;

    @Test
    void writeNewFileCreatesAnOwnerOnlyFileWithTheContent() throws Exception {
        Path file = tmp.resolve("secret");
        assertThat(PrivateFiles.writeNewFile(file, "abc".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(file).hasContent("abc");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void writeNewFileNeverReplacesAnExistingFileAndLeavesNoTemporaryFileBehind() throws Exception {
        Path file = Files.writeString(tmp.resolve("secret"), "first");
        assertThat(PrivateFiles.writeNewFile(file, "second".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(file).hasContent("first");
        try (var files = Files.list(tmp)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void createFileIfAbsentLeavesAnExistingFileAlone() throws Exception {
        Path file = Files.writeString(tmp.resolve("db"), "data");
        assertThat(PrivateFiles.createFileIfAbsent(file)).isFalse();
        assertThat(file).hasContent("data");
    }

    @Test
    void isAccessibleToOthersSeesGroupOrWorldReadableFiles() throws Exception {
        Path file = tmp.resolve("f");
        PrivateFiles.createFileIfAbsent(file);
        assertThat(PrivateFiles.isAccessibleToOthers(file)).isFalse();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(PrivateFiles.isAccessibleToOthers(file)).isTrue();
    }
}
