package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.cli.CliRunner.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-only commands never create a data directory, database or server secret (issue 17 §2): pointed
 * at a directory without a store, each says where it looked and how to point it at the right one.
 */
class ReadOnlyCommandsTest {

    @TempDir
    Path tmp;

    static final List<List<String>> READ_ONLY = List.of(
            List.of("keys", "list"), List.of("keys", "list", "--json"), List.of("usage"), List.of("audit", "verify"),
            List.of("vault", "status"), List.of("doctor"));

    @Test
    void readOnlyCommandsOnAMissingDataDirectoryCreateNothingAndSayWhereTheyLooked() {
        Path missing = tmp.resolve("no-such-data");
        for (String kek : List.of("none", "local", "passphrase")) {
            for (List<String> command : READ_ONLY) {
                Run r = CliRunner.run(Map.of("KEYWARDEN_DATA_DIR", missing.toString(), "KEYWARDEN_VAULT_KEK", kek,
                        "KEYWARDEN_ADMIN_LISTEN", "off"), command.toArray(String[]::new));
                if (!command.get(0).equals("doctor")) { // doctor reports (WARN) and may exit 0
                    assertThat(r.exitCode()).as(kek + " " + command + ": " + r.all()).isNotZero();
                }
                assertThat(missing).as(kek + " " + command + " created the data directory").doesNotExist();
                if (!command.get(0).equals("doctor")) {
                    assertThat(r.err()).as(kek + " " + command).contains(missing.toAbsolutePath().normalize().toString())
                            .containsAnyOf("--data-dir", "keywarden vault init", "vault.kek (KEYWARDEN_VAULT_KEK) is none");
                }
            }
        }
    }

    @Test
    void readOnlyCommandsInAnEmptyDataDirectoryLeaveItEmpty() throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        for (List<String> command : READ_ONLY) {
            Run r = CliRunner.run(Map.of("KEYWARDEN_DATA_DIR", empty.toString(), "KEYWARDEN_VAULT_KEK", "local",
                    "KEYWARDEN_ADMIN_LISTEN", "off"), command.toArray(String[]::new));
            if (!command.get(0).equals("doctor")) {
                assertThat(r.exitCode()).as(command + ": " + r.all()).isNotZero();
            }
            try (Stream<Path> files = Files.list(empty)) {
                assertThat(files.toList()).as(command + " wrote into the data directory").isEmpty();
            }
        }
    }
}
