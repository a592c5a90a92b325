package dev.keywarden.cli;

import dev.keywarden.app.GatewayApp;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.KeywardenConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code keywarden serve}: runs the gateway until stopped (demo mode when no provider key is configured). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the gateway.",
                "With no provider key configured it starts in DEMO mode in development: the bundled fake upstream",
                "answers (simulated replies) and a demo virtual key is printed. In staging and production it refuses",
                "to start without a provider key."})
public final class ServeCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "listen address (KEYWARDEN_LISTEN; default 127.0.0.1:8787)")
    String listen;

    @Option(names = "--no-verify", description = {"Do not check ANTHROPIC_API_KEY against upstream at start-up",
            "(upstream.verify_key_at_start: false), e.g. when upstream is not reachable yet."})
    boolean noVerify;

    @Override
    public Integer call() throws InterruptedException {
        KeywardenConfig cfg = loader().load();
        GatewayApp app = GatewayApp.start(cfg, List.of());
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "kw-shutdown"));
        app.demoKey().ifPresent(key -> printDemoBanner(System.out, app.baseUri().toString(), key));
        app.join();
        return 0;
    }

    /** The configuration loader with this command's flags applied. */
    ConfigLoader loader() {
        return store.loader().flag("listen", listen).flag("upstream.verify_key_at_start", noVerify ? "false" : null);
    }

    static void printDemoBanner(PrintStream out, String baseUrl, String key) {
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
        out.println();
        out.println("==================================================================================");
        out.println(" Keywarden DEMO MODE: answers are SIMULATED by the bundled fake Anthropic upstream.");
        out.println(" No provider key is configured. Set ANTHROPIC_API_KEY to proxy the real API.");
        out.println(" Demo mode runs in the DEVELOPMENT environment only: with environment staging or");
        out.println(" production, serve refuses to start until a provider key is configured.");
        out.println();
        out.println(" Demo virtual key (shown once, new on every start): " + key);
        out.println();
        out.println(" Try it:");
        out.println("   curl " + baseUrl + "/v1/messages -H 'x-api-key: " + key + "' \\");
        out.println("     -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \\");
        out.println("     -d '" + body + "'");
        out.println();
        out.println(" SDKs: ANTHROPIC_BASE_URL=" + baseUrl + " ANTHROPIC_API_KEY=" + key);
        out.println("==================================================================================");
        out.flush();
    }
}
