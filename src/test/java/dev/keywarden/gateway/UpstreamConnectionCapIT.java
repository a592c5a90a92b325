package dev.keywarden.gateway;

import dev.keywarden.config.ServerConfig;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.testing.TestPipelines;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.StaticProviderKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal 4 of issue 15: when {@code upstream.max_connections} calls are in flight, the next call is refused
 * at once with 529 {@code overloaded_error} in Anthropic's error shape and is never sent upstream —
 * it does not wait in a queue until a held call ends — and a slot is usable again as soon as a held
 * call ends.
 */
class UpstreamConnectionCapIT {

    private static final int CAP = 2;
    /** How long the fake upstream holds each of the calls that fill the cap. */
    private static final int HOLD_MS = 6000;

    private FakeUpstream fake;
    private GatewayServer gateway;
    private final List<Socket> held = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : held) {
            s.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void aCallBeyondTheCapIsRefusedAtOnceWith529AndTheCapFreesWhenAHeldCallEnds() throws Exception {
        String providerKey = TestKeys.fakeProviderKey();
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(providerKey));
        // an idle timeout far beyond the test: a call queued behind the cap would wait for it
        UpstreamConfig up = new UpstreamConfig(fake.baseUri(), true, Optional.empty(), "test", Duration.ofSeconds(2),
                Duration.ofSeconds(120), CAP, List.of(TestGateway.FAKE_CONTROL_HEADERS));
        gateway = TestPipelines.proxy(new ServerConfig(1024 * 1024, 16 * 1024, Duration.ofSeconds(120)), up,
                new StaticProviderKeys(new ProviderKey("pk_1", providerKey)),
                presented -> new AuthOutcome.Authenticated(new ClientIdentity("virtual_key", "vk_1", "kw_test", "t")));

        for (int i = 0; i < CAP; i++) {
            held.add(heldCall());
        }
        awaitUpstreamRequests(CAP);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> refused = client.send(call().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(529);
        assertThat(refused.headers().firstValue("retry-after")).contains(UpstreamSlots.RETRY_AFTER_SECONDS);
        assertThat(refused.body()).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"")
                .contains("upstream.max_connections").contains("\"request_id\"");
        assertThat(fake.requestCount()).as("the refused call never went upstream").isEqualTo(CAP);

        // the held calls end after HOLD_MS: their slots serve calls again
        int status = 0;
        for (int i = 0; i < 300 && status != 200; i++) {
            status = client.send(call().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            assertThat(status).isIn(200, 529);
            if (status != 200) {
                Thread.sleep(100);
            }
        }
        assertThat(status).as("a freed slot serves the next call").isEqualTo(200);
    }

    private HttpRequest.Builder call() {
        return HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/messages")).timeout(Duration.ofSeconds(30))
                .header("x-api-key", "kw_test").header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false)));
    }

    /** A call the fake upstream answers after {@link #HOLD_MS}, sent on a raw socket without waiting for it. */
    private Socket heldCall() throws Exception {
        byte[] body = TestGateway.messageBody("hi", false).getBytes(StandardCharsets.UTF_8);
        Socket s = new Socket(gateway.baseUri().getHost(), gateway.baseUri().getPort());
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/messages HTTP/1.1\r\nhost: localhost\r\nx-api-key: kw_test\r\nanthropic-version: 2023-06-01\r\n"
                + "content-type: application/json\r\nx-fake-latency-ms: " + HOLD_MS + "\r\ncontent-length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return s;
    }

    private void awaitUpstreamRequests(int n) throws InterruptedException {
        for (int i = 0; i < 300 && fake.requestCount() < n; i++) {
            Thread.sleep(20);
        }
        assertThat(fake.requestCount()).isEqualTo(n);
    }
}
