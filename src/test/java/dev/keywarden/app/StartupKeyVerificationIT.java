package dev.keywarden.app;

import dev.keywarden.config.ConfigException;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code ANTHROPIC_API_KEY} (vault off) is checked against upstream at start-up with one
 * {@code GET /v1/models}, against the bundled fake upstream, which refuses a wrong key with 401 as the
 * real API does.
 */
class StartupKeyVerificationIT {

    private final String goodKey = TestKeys.canaryProviderKey();
    private final String wrongKey = TestKeys.canaryProviderKey();
    private FakeUpstream fake;
    private GatewayApp app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    private Map<String, String> env(String environment, String key, String upstreamUrl) throws Exception {
        Path dir = Files.createTempDirectory("kw-verify-");
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARDEN_ENV", environment);
        env.put("KEYWARDEN_DATA_DIR", dir.toString());
        env.put("KEYWARDEN_LISTEN", "127.0.0.1:0");
        env.put("KEYWARDEN_ADMIN_LISTEN", "off");
        env.put("ANTHROPIC_API_KEY", key);
        env.put("KEYWARDEN_UPSTREAM_URL", upstreamUrl);
        return env;
    }

    private GatewayApp start(Map<String, String> env) {
        return GatewayApp.start(ConfigLoader.from(env, Path.of(env.get("KEYWARDEN_DATA_DIR"))).load(), List.of());
    }

    @Test
    void aKeyUpstreamAcceptsIsVerifiedWithOneModelsCallBeforeTheGatewayListens() throws Exception {
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(goodKey));
        app = start(env("production", goodKey, fake.baseUri().toString()));
        assertThat(fake.exchanges()).extracting(e -> e.method() + " " + e.path() + " " + e.status())
                .containsExactly("GET /v1/models 200");
        assertThat(fake.exchanges().get(0).header("x-api-key")).isEqualTo(goodKey);
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "staging"})
    void aKeyUpstreamRefusesStopsStartUpWithOneLineThatNeverShowsTheKey(String environment) throws Exception {
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(goodKey));
        try (LogCapture logs = LogCapture.start()) {
            assertThatThrownBy(() -> start(env(environment, wrongKey, fake.baseUri().toString())))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("ANTHROPIC_API_KEY: upstream " + fake.baseUri() + " refused the provider key ")
                    .hasMessageContaining("(401 authentication_error) at start-up; set it to a valid key")
                    .hasMessageContaining("--no-verify")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(wrongKey));
            assertThat(logs.text()).doesNotContain(wrongKey);
        }
        assertThat(fake.exchanges()).extracting(e -> e.method() + " " + e.path() + " " + e.status())
                .containsExactly("GET /v1/models 401");
    }

    @Test
    void inDevelopmentARefusedKeyIsAWarningAndTheGatewayStarts() throws Exception {
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(goodKey));
        try (LogCapture logs = LogCapture.start()) {
            app = start(env("development", wrongKey, fake.baseUri().toString()));
            assertThat(logs.text()).contains("WARN").contains("refused the provider key")
                    .contains("starting anyway because environment is development").doesNotContain(wrongKey);
        }
        assertThat(app.pipeline().readiness()).filteredOn(r -> r.name().equals("provider_keys")).singleElement()
                .satisfies(r -> assertThat(r.ready()).as("/readyz says calls cannot be served").isFalse());
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "development"})
    void anUnreachableUpstreamStopsStartUpWithOneLineNamingNoVerify(String environment) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> start(env(environment, goodKey, "http://127.0.0.1:" + port)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot verify ANTHROPIC_API_KEY at start-up: cannot reach upstream http://127.0.0.1:" + port)
                .hasMessageEndingWith("; start with --no-verify (upstream.verify_key_at_start"
                        + " (KEYWARDEN_UPSTREAM_VERIFY_KEY_AT_START): false) to skip the check")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(goodKey));
    }

    @Test
    void withTheCheckOffAnUnreachableUpstreamDoesNotStopStartUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = env("production", goodKey, "http://127.0.0.1:" + port);
        env.put("KEYWARDEN_UPSTREAM_VERIFY_KEY_AT_START", "false");
        app = start(env);
        assertThat(app.port()).isPositive();
    }
}
