package dev.keywarden.e2e;

import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project's {@code e2e/} node package, for the ITs that drive real node clients: finds it,
 * installs its locked dependencies ({@code npm ci}) when one is missing, and runs commands with a
 * timeout, echoing their output. Without Node.js the calling test is skipped, unless
 * {@code KEYWARDEN_REQUIRE_SERVICES} is set (CI), where it fails instead.
 */
final class NodeE2e {

    /** The packages {@code e2e/package.json} depends on; all must be installed. */
    private static final List<String> DEPENDENCIES = List.of("@anthropic-ai/sdk", "@anthropic-ai/claude-code", "playwright-core");

    private NodeE2e() {
    }

    /** The {@code e2e/} directory, with its dependencies installed. */
    static Path prepared() throws Exception {
        Path e2e = basedir().resolve("e2e");
        boolean hasNode;
        try {
            hasNode = new ProcessBuilder("node", "--version").start().waitFor() == 0;
        } catch (IOException e) {
            hasNode = false;
        }
        if (!hasNode) {
            assertThat(System.getenv("KEYWARDEN_REQUIRE_SERVICES")).as("Node.js is required in CI").isNull();
            Assumptions.abort("Node.js is not installed: node e2e test skipped");
        }
        if (DEPENDENCIES.stream().anyMatch(d -> !Files.isDirectory(e2e.resolve("node_modules").resolve(d)))) {
            Result install = run(e2e, List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), false, 600);
            assertThat(install.exit()).as("npm ci failed:\n%s", install.output()).isZero();
        }
        return e2e;
    }

    /** The project's base directory (where {@code pom.xml} is). */
    static Path basedir() {
        return Path.of(System.getProperty("keywarden.basedir", ".")).toAbsolutePath();
    }

    /**
     * Debian's Chromium, which the Playwright tests drive ({@code playwright-core} downloads no browser); without it
     * the calling test is skipped, unless {@code KEYWARDEN_REQUIRE_SERVICES} is set (CI), where it fails instead.
     */
    static Path chromium() {
        Path chromium = Path.of(System.getenv().getOrDefault("KEYWARDEN_CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) {
            assertThat(System.getenv("KEYWARDEN_REQUIRE_SERVICES")).as("Chromium is required in CI (apt-get install chromium)").isNull();
            Assumptions.abort(chromium + " is missing: browser test skipped (apt-get install chromium)");
        }
        return chromium;
    }

    /** What a command printed (stdout and stderr together) and its exit status. */
    record Result(int exit, String output) {
    }

    /**
     * Runs {@code command} in {@code dir}; stdin is closed at once. With {@code cleanEnvironment} the
     * child sees only {@code PATH} and {@code env} (no variable of this JVM's environment leaks in);
     * otherwise {@code env} is added to this JVM's environment minus {@code ANTHROPIC_API_KEY}.
     */
    static Result run(Path dir, List<String> command, Map<String, String> env, boolean cleanEnvironment, int timeoutSeconds)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        if (cleanEnvironment) {
            String path = pb.environment().get("PATH");
            pb.environment().clear();
            pb.environment().put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        } else {
            pb.environment().remove("ANTHROPIC_API_KEY");
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        StringBuffer output = new StringBuffer();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                in.lines().forEach(line -> {
                    System.out.println("[" + Path.of(command.get(0)).getFileName() + "] " + line);
                    output.append(line).append('\n');
                });
            } catch (IOException ignored) {
                // process ended
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n" + output);
        }
        pump.join(5000);
        return new Result(p.exitValue(), output.toString());
    }
}
