package dev.keywarden.cli;

import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keywarden fake-upstream}: serves the faithful fake Anthropic API until SIGTERM/SIGINT,
 * then shuts it down cleanly. Without {@code --api-key} it makes up an obviously fake key and
 * prints it once, since clients need it.
 */
@Command(name = "fake-upstream",
        mixinStandardHelpOptions = true,
        description = {
                "Serve a local stand-in for api.anthropic.com with simulated answers (demo mode, tests, benchmarks).",
                "Failure scenarios per request: header 'x-fake-scenario: NAME' or a last user message starting 'fake:NAME'."
        })
public final class FakeUpstreamCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "TCP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--api-key", paramLabel = "K",
            description = "An x-api-key to accept; repeat it to accept several (to rehearse rotation and failover)."
                    + " Default: a random sk-ant-fake-… key, printed once.")
    List<String> apiKeys = new ArrayList<>();

    @Option(names = "--latency-ms", paramLabel = "MS", defaultValue = "0",
            description = "Delay before the first byte of every answer (default: ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(names = "--tokens-per-second", paramLabel = "N", defaultValue = "0",
            description = "Pace of streamed text deltas; 0 means unlimited (default: ${DEFAULT-VALUE}).")
    int tokensPerSecond;

    @Override
    public Integer call() throws InterruptedException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        boolean generated = apiKeys.isEmpty();
        String key = generated ? FakeUpstreamOptions.randomApiKey() : apiKeys.get(0);
        FakeUpstreamOptions options = new FakeUpstreamOptions(host, port, key, Duration.ofMillis(latencyMs), tokensPerSecond);
        FakeUpstream upstream = FakeUpstream.start(options);
        apiKeys.stream().skip(1).forEach(upstream::acceptKey);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            upstream.close();
            stopped.countDown();
        }, "fake-upstream-shutdown"));
        if (generated) {
            out.println("generated api key (use it as x-api-key): " + key);
        }
        out.println("fake upstream listening on " + upstream.baseUri() + " (simulated answers)");
        out.flush();
        stopped.await();
        return 0;
    }

    private void validate() {
        if (apiKeys.stream().anyMatch(String::isBlank)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--api-key must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be between 0 and 65535 but was " + port);
        }
        if (latencyMs < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--latency-ms must not be negative but was " + latencyMs);
        }
        if (tokensPerSecond < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--tokens-per-second must be 0 (unlimited) or more but was " + tokensPerSecond);
        }
        if (host.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--host must not be blank");
        }
    }
}
