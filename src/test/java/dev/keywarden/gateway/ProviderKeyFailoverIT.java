package dev.keywarden.gateway;

import dev.keywarden.testing.TestPipelines;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.config.HostPort;
import dev.keywarden.config.ServerConfig;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.ProviderKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's side of failover and emergency revoke, with a two-key {@link ProviderKeys}: an
 * upstream 401 on key A is reported and the call is retried once on key B without the client
 * seeing an error; revoking a key "now" cuts the calls in flight on it.
 */
class ProviderKeyFailoverIT {

    /** Key A until A is reported rejected, then key B; records reports and in-flight registrations. */
    static final class TwoKeys implements ProviderKeys {
        final ProviderKey a = new ProviderKey("pk_a", TestKeys.fakeProviderKey());
        final ProviderKey b = new ProviderKey("pk_b", TestKeys.fakeProviderKey());
        volatile boolean aRejected;
        final List<String> reports = new CopyOnWriteArrayList<>();
        final Map<Runnable, ProviderKey> inFlight = new ConcurrentHashMap<>();

        @Override
        public Optional<ProviderKey> select(String route) {
            return Optional.of(aRejected ? b : a);
        }

        @Override
        public void rejectedByUpstream(ProviderKey key, int status) {
            reports.add(key.id() + ":" + status);
            if (key == a) {
                aRejected = true;
            }
        }

        @Override
        public InFlight track(ProviderKey key, Runnable abort) {
            inFlight.put(abort, key);
            return () -> inFlight.remove(abort);
        }

        void revokeNow(ProviderKey key) {
            inFlight.forEach((abort, k) -> {
                if (k == key) {
                    abort.run();
                }
            });
        }

        @Override
        public String describe() {
            return "two test keys";
        }
    }

    private FakeUpstream fake;
    private GatewayServer gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    private TwoKeys startWithUpstreamAccepting(boolean acceptB) {
        TwoKeys keys = new TwoKeys();
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(acceptB ? keys.b.secret() : keys.a.secret()));
        UpstreamConfig up = new UpstreamConfig(fake.baseUri(), true, Optional.empty(), "test", Duration.ofSeconds(2),
                Duration.ofSeconds(5), 16, java.util.List.of(dev.keywarden.testing.TestGateway.FAKE_CONTROL_HEADERS));
        gateway = TestPipelines.proxy(new ServerConfig(1024 * 1024, 16 * 1024, Duration.ofSeconds(10)), up, keys,
                presented -> "kw_test".equals(presented)
                        ? new AuthOutcome.Authenticated(new ClientIdentity("virtual_key", "vk_1", "kw_test", "t"))
                        : new AuthOutcome.Rejected("invalid virtual key"));
        return keys;
    }

    private HttpRequest.Builder request(boolean stream, String scenario) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/messages"))
                .header("x-api-key", "kw_test").header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", stream)));
        if (scenario != null) {
            b.header("x-fake-scenario", scenario);
        }
        return b;
    }

    @Test
    void upstream401OnTheActiveKeyIsRetriedOnceOnTheBackupWithoutAClientVisibleError() throws Exception {
        TwoKeys keys = startWithUpstreamAccepting(true);
        HttpResponse<String> r = HttpClient.newHttpClient().send(request(false, null).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"type\":\"message\"");
        assertThat(keys.reports).containsExactly("pk_a:401");
        assertThat(fake.exchanges()).extracting(e -> e.header("x-api-key")).containsExactly(keys.a.secret(), keys.b.secret());
        assertThat(keys.inFlight).as("every in-flight registration is closed").isEmpty();
    }

    @Test
    void whenTheBackupIsRejectedTooTheClientGetsTheGatewaysOwn503AfterOneRetryOnly() throws Exception {
        TwoKeys keys = new TwoKeys();
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(TestKeys.fakeProviderKey()));
        UpstreamConfig up = new UpstreamConfig(fake.baseUri(), true, Optional.empty(), "test", Duration.ofSeconds(2),
                Duration.ofSeconds(5), 16, java.util.List.of(dev.keywarden.testing.TestGateway.FAKE_CONTROL_HEADERS));
        gateway = TestPipelines.proxy(new ServerConfig(1024 * 1024, 16 * 1024, Duration.ofSeconds(10)), up, keys,
                presented -> new AuthOutcome.Authenticated(new ClientIdentity("virtual_key", "vk_1", "kw_test", "t")));
        HttpResponse<String> r = HttpClient.newHttpClient().send(request(false, null).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"api_error\"")
                .contains("the gateway's provider key was rejected upstream; the operator has been alerted")
                .doesNotContain("authentication_error");
        assertThat(keys.reports).containsExactly("pk_a:401", "pk_b:401");
        assertThat(fake.requestCount()).isEqualTo(2);
    }

    @Test
    void aSealedVaultRefusesProxyRequestsWith503ButHealthStillAnswers() throws Exception {
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(TestKeys.fakeProviderKey()));
        UpstreamConfig up = new UpstreamConfig(fake.baseUri(), true, Optional.empty(), "test", Duration.ofSeconds(2),
                Duration.ofSeconds(5), 16, java.util.List.of(dev.keywarden.testing.TestGateway.FAKE_CONTROL_HEADERS));
        ProviderKeys sealed = new ProviderKeys() {
            @Override
            public Optional<ProviderKey> select(String route) {
                throw new dev.keywarden.vault.crypto.VaultSealedException("sealed");
            }

            @Override
            public String describe() {
                return "sealed";
            }
        };
        gateway = TestPipelines.proxy(new ServerConfig(1024 * 1024, 16 * 1024, Duration.ofSeconds(10)), up, sealed,
                presented -> new AuthOutcome.Authenticated(new ClientIdentity("virtual_key", "vk_1", "kw_test", "t")));
        HttpResponse<String> r = HttpClient.newHttpClient().send(request(false, null).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("api_error").contains("vault is sealed");
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(gateway.baseUri().resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(fake.requestCount()).isZero();
    }

    @Test
    void revokingAKeyNowCutsTheStreamsInFlightOnIt() throws Exception {
        TwoKeys keys = startWithUpstreamAccepting(false);
        int cancelledBefore = fake.cancelledStreams();
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request(true, "slow").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            String first = new String(in.readNBytes(40), StandardCharsets.UTF_8);
            assertThat(first).startsWith("event: message_start");
            assertThat(keys.inFlight).hasSize(1);
            keys.revokeNow(keys.a);
            String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rest).contains("event: error").doesNotContain("message_stop");
        }
        assertThat(fake.awaitCancelledStreams(cancelledBefore + 1, Duration.ofSeconds(5))).isTrue();
        assertThat(keys.inFlight).isEmpty();
    }
}
