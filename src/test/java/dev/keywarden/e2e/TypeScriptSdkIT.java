package dev.keywarden.e2e;

import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code e2e/sdk.test.mjs} — the official TypeScript SDK — against a live gateway. Needs
 * Node.js; without it the test is skipped, unless KEYWARDEN_REQUIRE_SERVICES is set (CI), where
 * it fails instead.
 */
class TypeScriptSdkIT {

    @Test
    void officialTypeScriptSdkWorksThroughTheGateway() throws Exception {
        Path e2e = NodeE2e.prepared();
        try (TestGateway gw = TestGateway.start(Map.of())) {
            NodeE2e.Result run = NodeE2e.run(e2e, List.of("node", "--test", "--test-reporter=spec", "sdk.test.mjs"), Map.of(
                    "KEYWARDEN_BASE_URL", gw.gateway.baseUri().toString(),
                    "KEYWARDEN_VIRTUAL_KEY", gw.virtualKey), false, 180);
            assertThat(run.exit()).as("node --test failed:\n%s", run.output()).isZero();
            assertThat(gw.upstream.requestCount()).as("the SDK's calls reached upstream through the gateway").isGreaterThanOrEqualTo(2);
        }
    }
}
