package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keywarden.testing.KeywardenJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user running a CLI command on JDK 24+ sees only keywarden's output: no {@code sun.misc.Unsafe}
 * deprecation warning from a dependency (protobuf, used by Tink for the vault's keysets).
 */
class NoUnsafeWarningIT {

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) { }

    Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARDEN_") || k.startsWith("ANTHROPIC_"));
        pb.environment().put("KEYWARDEN_VAULT_KEK", "local");
        pb.environment().put("KEYWARDEN_DATA_DIR", dir.resolve("data").toString());
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the command finished").isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    /** {@code vault init} of a local-KEK vault loads Tink and so protobuf, which calls sun.misc.Unsafe. */
    static final String[] VAULT_STATUS = {"vault", "init"};

    @Test
    void aCliCommandStartedAsTheLauncherStartsItPrintsNoUnsafeWarning() throws Exception {
        Result r = run(KeywardenJar.command(VAULT_STATUS));

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Created a new vault");
        assertThat(r.err()).doesNotContain("sun.misc.Unsafe").doesNotContain("WARNING: A terminally deprecated method");
    }

    @Test
    void withoutTheLaunchersOptionTheSameCommandWouldWarnOnThisJdk() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "the JDK warns about sun.misc.Unsafe from JDK 24 on");
        List<String> plain = new ArrayList<>(List.of(KeywardenJar.java(), "-jar", KeywardenJar.path()));
        plain.addAll(List.of(VAULT_STATUS));

        Result r = run(plain);

        assertThat(r.err()).as("the dependency still uses sun.misc.Unsafe, so the option is what keeps users' output clean")
                .contains("sun.misc.Unsafe");
    }

    @Test
    void theLauncherScriptPassesTheOptionOnThisJdk() throws Exception {
        Path basedir = Path.of(System.getProperty("keywarden.basedir", "."));
        Path home = dir.resolve("checkout");
        Files.createDirectories(home.resolve(".mvn"));
        Files.createDirectories(home.resolve("src/main"));
        Files.createDirectories(home.resolve("target"));
        Files.copy(basedir.resolve("keywarden"), home.resolve("keywarden"));
        Files.copy(basedir.resolve(".mvn/find-jdk.sh"), home.resolve(".mvn/find-jdk.sh"));
        Files.writeString(home.resolve("pom.xml"), "<project/>\n");
        Files.setLastModifiedTime(home.resolve("pom.xml"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Files.createSymbolicLink(home.resolve("target/keywarden.jar"), Path.of(KeywardenJar.path()).toAbsolutePath());
        home.resolve("keywarden").toFile().setExecutable(true);
        List<String> command = new ArrayList<>(List.of(home.resolve("keywarden").toString()));
        command.addAll(List.of(VAULT_STATUS));

        Result r = run(command);

        assertThat(r.err()).as("the launcher used the built jar as is").doesNotContain("building");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Created a new vault");
        assertThat(r.err()).doesNotContain("sun.misc.Unsafe");
    }

    @Test
    void aCommandThatNeedsNoKekDoesNotRepeatTheSealedVaultWarning() throws Exception {
        String passphrase = "correct horse battery staple " + Long.toHexString(System.nanoTime());
        List<String> init = KeywardenJar.command("vault", "init");
        ProcessBuilder pb = new ProcessBuilder(init).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARDEN_") || k.startsWith("ANTHROPIC_"));
        pb.environment().put("KEYWARDEN_VAULT_KEK", "passphrase");
        pb.environment().put("KEYWARDEN_VAULT_PASSPHRASE", passphrase);
        pb.environment().put("KEYWARDEN_DATA_DIR", dir.resolve("pdata").toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("init.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("init.txt"))).isZero();

        ProcessBuilder list = new ProcessBuilder(KeywardenJar.command("keys", "list")).directory(dir.toFile());
        list.environment().keySet().removeIf(k -> k.startsWith("KEYWARDEN_") || k.startsWith("ANTHROPIC_"));
        list.environment().put("KEYWARDEN_VAULT_KEK", "passphrase");
        list.environment().put("KEYWARDEN_DATA_DIR", dir.resolve("pdata").toString());
        list.redirectOutput(dir.resolve("list-out.txt").toFile()).redirectError(dir.resolve("list-err.txt").toFile());
        Process l = list.start();
        assertThat(l.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(dir.resolve("list-err.txt"));
        assertThat(l.exitValue()).as(err).isZero();
        assertThat(err).doesNotContain("vault.passphrase is not set").doesNotContain("WARN");
    }
}
