package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.config.HostPort;
import dev.keywarden.config.ServerConfig;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.gateway.GatewayServer;
import dev.keywarden.testing.TestPipelines;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vault behind the real gateway and the fake upstream: an upstream 401 on the primary key moves
 * traffic to the backup without a client-visible error and marks the primary compromised with an
 * alert; an emergency revoke cuts a stream in flight on the key.
 */
class VaultGatewayIT {

    @TempDir
    Path tmp;
    VaultFixture f;
    FakeUpstream fake;
    GatewayServer gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (fake != null) {
            fake.close();
        }
        if (f != null) {
            f.close();
        }
    }

    private void start(String acceptedKey) {
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(acceptedKey));
        UpstreamConfig up = new UpstreamConfig(fake.baseUri(), true, Optional.empty(), "test", Duration.ofSeconds(2),
                Duration.ofSeconds(5), 16, java.util.List.of(dev.keywarden.testing.TestGateway.FAKE_CONTROL_HEADERS));
        gateway = TestPipelines.proxy(new ServerConfig(1024 * 1024, 16 * 1024, Duration.ofSeconds(10)), up, f.keys,
                presented -> new AuthOutcome.Authenticated(new ClientIdentity("virtual_key", "vk_1", "kw_test", "t")));
    }

    private HttpRequest request(boolean stream, String scenario) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/messages"))
                .header("x-api-key", "kw_test").header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", stream)));
        if (scenario != null) {
            b.header("x-fake-scenario", scenario);
        }
        return b.build();
    }

    @Test
    void upstreamRejectingThePrimaryMovesTrafficToTheBackupAndMarksThePrimaryCompromised() throws Exception {
        f = new VaultFixture(tmp.resolve("data"));
        ProviderKeyRecord a = f.add("primary", 0);
        ProviderKeyRecord b = f.add("backup", 1);
        start(f.secretOf(b));
        HttpClient client = HttpClient.newHttpClient();

        HttpResponse<String> first = client.send(request(false, null), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> second = client.send(request(true, null), HttpResponse.BodyHandlers.ofString());

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).contains("message_stop");
        assertThat(f.store.find(a.id()).orElseThrow().state()).isEqualTo(ProviderKeyState.COMPROMISED);
        assertThat(f.events.ofType("provider_key.compromised")).singleElement()
                .satisfies(e -> assertThat(e.alert()).isTrue());
        assertThat(fake.exchanges()).extracting(e -> e.header("x-api-key"))
                .containsExactly(f.secretOf(a), f.secretOf(b), f.secretOf(b));
        // the registration closes when the upstream exchange completes, a moment after the client has the last byte
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (f.keys.inFlight(a.id()) + f.keys.inFlight(b.id()) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(f.keys.inFlight(a.id()) + f.keys.inFlight(b.id())).isZero();
    }

    @Test
    void revokingTheKeyNowCutsAStreamInFlightOnIt() throws Exception {
        f = new VaultFixture(tmp.resolve("data"));
        ProviderKeyRecord a = f.add("primary", 0);
        start(f.secretOf(a));
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request(true, "slow"),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            String head = new String(in.readNBytes(40), StandardCharsets.UTF_8);
            assertThat(head).startsWith("event: message_start");
            assertThat(f.keys.inFlight(a.id())).isEqualTo(1);

            f.rotation.revoke(a.id(), true);

            String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rest).contains("event: error").doesNotContain("message_stop");
        }
        HttpResponse<String> after = HttpClient.newHttpClient().send(request(false, null), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(503);
        assertThat(after.body()).doesNotContain(f.secretOf(a));
    }
}
