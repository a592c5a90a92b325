package dev.keywarden.cli;

import dev.keywarden.testing.KeywardenJar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code keywarden serve} as a newcomer runs it: the packaged jar in a separate process. */
class ServeProcessIT {

    @TempDir
    Path dir;
    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private ProcessBuilder keywarden(Map<String, String> env, String... args) {
        return KeywardenJar.process(dir, env, args);
    }

    @Test
    void demoModePrintsAKeyAndACurlLineThatWorksAsPrinted() throws Exception {
        process = keywarden(Map.of("KEYWARDEN_LISTEN", "127.0.0.1:0", "KEYWARDEN_DATA_DIR", dir.resolve("data").toString()), "serve")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(lines::add);
            } catch (IOException ignored) {
                // process ended
            }
        });
        List<String> banner = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                banner.add(line);
                if (line.startsWith(" SDKs:")) {
                    break;
                }
            }
        }
        String text = String.join("\n", banner);
        assertThat(text).contains("DEMO MODE").contains("SIMULATED");
        Matcher key = Pattern.compile("\\bkw_[A-Za-z0-9_]{20,}").matcher(text);
        assertThat(key.find()).as("banner shows a kw_ key:\n" + text).isTrue();

        int start = -1;
        for (int i = 0; i < banner.size(); i++) {
            if (banner.get(i).trim().startsWith("curl ")) {
                start = i;
            }
        }
        assertThat(start).as("banner has a curl line").isNotNegative();
        StringBuilder curl = new StringBuilder();
        for (int i = start; i < banner.size(); i++) {
            curl.append(banner.get(i)).append('\n');
            if (!banner.get(i).endsWith("\\")) {
                break;
            }
        }
        Process c = new ProcessBuilder("bash", "-c", curl.toString().strip() + " -sS").redirectErrorStream(true).start();
        String answer = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(c.waitFor()).isZero();
        assertThat(answer).contains("\"type\":\"message\"").contains("output_tokens");

        // the demo's fake upstream takes its test controls through the gateway
        Process scenario = new ProcessBuilder("bash", "-c", curl.toString().strip() + " -sS -H 'x-fake-scenario: rate_limit'")
                .redirectErrorStream(true).start();
        String limited = new String(scenario.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(scenario.waitFor()).isZero();
        assertThat(limited).contains("rate_limit_error");
    }

    @Test
    void malformedProviderKeyStopsStartupWithOneLineNamingTheVariable() throws Exception {
        String bad = "sk-ant-" + "q".repeat(20) + "$$$" + "q".repeat(20);
        process = keywarden(Map.of("ANTHROPIC_API_KEY", bad, "KEYWARDEN_DATA_DIR", dir.resolve("data").toString()), "serve")
                .redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(out.strip().lines()).hasSize(1);
        assertThat(out).contains("ANTHROPIC_API_KEY").doesNotContain(bad).doesNotContain("q".repeat(20));
    }
}
