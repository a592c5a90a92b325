package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs {@code java -jar keywarden.jar fake-upstream} as an operator would, then stops it with SIGTERM. */
class FakeUpstreamCommandIT {

    private static final Pattern LISTENING = Pattern.compile("fake upstream listening on (http://127\\.0\\.0\\.1:\\d+) \\(simulated answers\\)");
    private static final Pattern GENERATED = Pattern.compile("generated api key \\(use it as x-api-key\\): (sk-ant-fake-[A-Za-z0-9]{32})");

    private static Process launch(String... args) throws Exception {
        String jar = System.getProperty("keywarden.jar", "target/keywarden.jar");
        assertThat(Path.of(jar)).satisfies(p -> assertThat(Files.isRegularFile(p)).as("built jar " + p).isTrue());
        List<String> command = dev.keywarden.testing.KeywardenJar.command("fake-upstream");
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static int modelsStatus(String base, String key) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                    .header("x-api-key", key).header("anthropic-version", "2023-06-01").GET().build();
            return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        }
    }

    @Test
    void servesWithTheGivenKeyAndStopsCleanlyOnSigterm() throws Exception {
        Process process = launch("--port", "0", "--api-key", UpstreamHttp.KEY);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Matcher listening = LISTENING.matcher(out.readLine());
            assertThat(listening.matches()).isTrue();
            String base = listening.group(1);

            assertThat(modelsStatus(base, UpstreamHttp.KEY)).isEqualTo(200);
            assertThat(modelsStatus(base, "test-only-wrong-key")).isEqualTo(401);

            process.destroy();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
            assertThat(process.exitValue()).as("terminated by SIGTERM after the shutdown hook ran").isEqualTo(143);
            int port = URI.create(base).getPort();
            assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close()).isInstanceOf(java.net.ConnectException.class);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void acceptsEveryKeyGivenWithARepeatedApiKeyOption() throws Exception {
        String second = "sk-ant-fake-" + "second".repeat(4);
        Process process = launch("--port", "0", "--api-key", UpstreamHttp.KEY, "--api-key", second);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Matcher listening = LISTENING.matcher(out.readLine());
            assertThat(listening.matches()).isTrue();

            assertThat(modelsStatus(listening.group(1), UpstreamHttp.KEY)).isEqualTo(200);
            assertThat(modelsStatus(listening.group(1), second)).isEqualTo(200);
            assertThat(modelsStatus(listening.group(1), "test-only-wrong-key")).isEqualTo(401);
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    @Test
    void withoutAKeyMakesUpAnObviouslyFakeOneAndPrintsItOnce() throws Exception {
        Process process = launch("--port", "0");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Matcher generated = GENERATED.matcher(out.readLine());
            assertThat(generated.matches()).isTrue();
            Matcher listening = LISTENING.matcher(out.readLine());
            assertThat(listening.matches()).isTrue();

            assertThat(modelsStatus(listening.group(1), generated.group(1))).isEqualTo(200);
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }
}
