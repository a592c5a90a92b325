package dev.keywarden.e2e;

import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code e2e/sdk.test.mjs} — the official TypeScript SDK — against a live gateway. Needs
 * Node.js; without it the test is skipped, unless KEYWARDEN_REQUIRE_SERVICES is set (CI), where
 * it fails instead.
 */
class TypeScriptSdkIT {

    private static final StringBuffer OUTPUT = new StringBuffer();

    @Test
    void officialTypeScriptSdkWorksThroughTheGateway() throws Exception {
        Path e2e = Path.of(System.getProperty("keywarden.basedir", ".")).resolve("e2e").toAbsolutePath();
        boolean hasNode = new ProcessBuilder("node", "--version").start().waitFor() == 0;
        if (!hasNode) {
            assertThat(System.getenv("KEYWARDEN_REQUIRE_SERVICES")).as("Node.js is required in CI").isNull();
            Assumptions.abort("Node.js is not installed: TypeScript SDK test skipped");
        }
        if (!Files.isDirectory(e2e.resolve("node_modules/@anthropic-ai/sdk"))) {
            run(e2e, List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
        }
        try (TestGateway gw = TestGateway.start(Map.of())) {
            int exit = run(e2e, List.of("node", "--test", "--test-reporter=spec", "sdk.test.mjs"), Map.of(
                    "KEYWARDEN_BASE_URL", gw.gateway.baseUri().toString(),
                    "KEYWARDEN_VIRTUAL_KEY", gw.virtualKey), 180);
            assertThat(exit).as("node --test failed:\n%s", OUTPUT).isZero();
            assertThat(gw.upstream.requestCount()).as("the SDK's calls reached upstream through the gateway").isGreaterThanOrEqualTo(2);
        }
    }

    private static int run(Path dir, List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("ANTHROPIC_API_KEY");
        pb.environment().putAll(env);
        Process p = pb.start();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                in.lines().forEach(line -> {
                    System.out.println("[" + command.get(0) + "] " + line);
                    OUTPUT.append(line).append('\n');
                });
            } catch (java.io.IOException ignored) {
                // process ended
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        pump.join(5000);
        return p.exitValue();
    }

}
