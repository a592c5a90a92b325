package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.RecordedExchange;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation without downtime, through the real gateway ({@code GatewayApp} with {@code vault.kek=local})
 * and the admin API: while 16 clients keep plain and streaming calls running, key A is rotated to
 * key B. No client sees an error, every stream ends with {@code message_stop}, the fake upstream
 * sees key A only on calls that started before A stopped being selectable and key B only after it
 * became active, and afterwards A is revoked and B active.
 */
class RotationUnderLoadIT {

    private static final int CLIENTS = 16;
    private static final Pattern CALL_ID = Pattern.compile("load (c\\d+-\\d+)");

    @TempDir
    Path secrets;
    private TestGateway gw;
    private SecurityEventTimes events;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        if (events != null) {
            events.close();
        }
    }

    /** What a client did: when it started the call (before sending), what it got back. */
    record ClientCall(String id, boolean stream, long startNanos, long endNanos, int status, String body) {
        boolean clean() {
            return status == 200 && (!stream || body.contains("event: message_stop") && !body.contains("event: error"));
        }
    }

    @Test
    void rotatingUnderLoadLosesNoCallAndUsesTheOldKeyOnlyForCallsStartedBeforeTheSwitch() throws Exception {
        String keyA = TestKeys.fakeProviderKey();
        String keyB = TestKeys.fakeProviderKey();
        events = SecurityEventTimes.begin();
        gw = TestGateway.start(keyA, Map.of("KEYWARDEN_VAULT_KEK", "local"));
        gw.upstream.acceptKey(keyB); // the new key has been issued in the console
        VaultAdminClient admin = VaultAdminClient.create(gw.gateway.adminUri().orElseThrow(), gw.dataDir);
        String idA = admin.keyBySha256(FakeUpstream.fingerprintOf(keyA)).get("id").asText();
        Path newKeyFile = VaultAdminClient.secretFile(secrets, "new-anthropic-key", keyB);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, ClientCall> calls = new ConcurrentHashMap<>();
        List<Throwable> clientFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(Thread.ofVirtual().name("load-client-" + c).start(() -> {
                for (int i = 0; running.get(); i++) {
                    String id = "c" + client + "-" + i;
                    boolean stream = (i + client) % 2 == 1;
                    boolean slow = stream && i % 5 == 3; // a 5 s stream now and then, to span the switch
                    HttpRequest.Builder b = gw.request("/v1/messages").timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("load " + id, stream)));
                    if (slow) {
                        b.header("x-fake-scenario", "slow");
                    } else {
                        b.header("x-fake-latency-ms", Integer.toString(ThreadLocalRandom.current().nextInt(50, 300)));
                    }
                    long start = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                        calls.put(id, new ClientCall(id, stream, start, System.nanoTime(), r.statusCode(),
                                new String(r.body(), StandardCharsets.UTF_8)));
                    } catch (Exception e) {
                        clientFailures.add(e);
                        calls.put(id, new ClientCall(id, stream, start, System.nanoTime(), -1, e.toString()));
                    }
                }
            }));
        }

        Thread.sleep(1_500);
        long rotationStarted = System.nanoTime();
        JsonNode rotated = admin.post("/admin/v1/provider-keys/" + idA + "/rotate",
                "{\"source\":\"file:" + newKeyFile + "\"}");
        long rotationEnded = System.nanoTime();
        Thread.sleep(1_000);
        running.set(false);
        for (Thread t : clients) {
            t.join(Duration.ofSeconds(30));
        }

        String idB = rotated.at("/replacement/id").asText();
        assertThat(rotated.at("/retired/id").asText()).isEqualTo(idA);
        assertThat(rotated.at("/drained_cleanly").asBoolean()).isTrue();
        assertThat(rotated.at("/calls_cut").asInt()).isZero();
        assertThat(clientFailures).isEmpty();
        assertThat(calls.values()).hasSizeGreaterThan(100).allSatisfy(call ->
                assertThat(call.clean()).as("call %s answered %s: %s", call.id(), call.status(), call.body()).isTrue());

        long bActivated = events.first("provider_key.activated", idB).orElseThrow().nanos();
        long aDraining = events.first("provider_key.draining", idA).orElseThrow().nanos();
        assertThat(bActivated).isBetween(rotationStarted, aDraining);
        assertThat(aDraining).isLessThan(rotationEnded);

        String shaA = FakeUpstream.fingerprintOf(keyA);
        String shaB = FakeUpstream.fingerprintOf(keyB);
        List<RecordedExchange> messages = gw.upstream.exchanges().stream()
                .filter(e -> e.path().equals("/v1/messages")).toList();
        assertThat(messages).hasSameSizeAs(calls.values()).allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
        int onA = 0;
        int onB = 0;
        int onASpanningTheSwitch = 0;
        for (RecordedExchange e : messages) {
            Matcher m = CALL_ID.matcher(e.requestBodyText());
            assertThat(m.find()).as("call id in " + e).isTrue();
            ClientCall call = calls.get(m.group(1));
            assertThat(call).as("client record of " + m.group(1)).isNotNull();
            if (e.apiKeySha256().equals(shaA)) {
                onA++;
                assertThat(call.startNanos()).as("call %s used the old key but started %d µs after it was drained",
                        call.id(), (call.startNanos() - aDraining) / 1_000).isLessThan(aDraining);
                if (call.endNanos() > aDraining) {
                    onASpanningTheSwitch++;
                }
            } else {
                assertThat(e.apiKeySha256()).as("key of call " + call.id()).isEqualTo(shaB);
                onB++;
                assertThat(e.arrivedNanos()).as("call %s used the new key before it was active", call.id())
                        .isGreaterThan(bActivated);
            }
        }
        assertThat(onA).as("calls on the old key").isPositive();
        assertThat(onB).as("calls on the new key").isPositive();
        assertThat(onASpanningTheSwitch).as("calls on the old key still running when it was drained").isPositive();

        assertThat(admin.keyBySha256(shaA).get("state").asText()).isEqualTo("revoked");
        assertThat(admin.keyBySha256(shaB).get("state").asText()).isEqualTo("active");
        assertThat(admin.keyBySha256(shaB).get("id").asText()).isEqualTo(idB);
    }
}
