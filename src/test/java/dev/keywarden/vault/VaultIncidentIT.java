package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.RecordedExchange;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incident response through the real gateway ({@code vault.kek=local}) and its admin API, with a
 * primary key A (imported from {@code ANTHROPIC_API_KEY}) and a backup key B added from a
 * {@code file:} source: upstream starting to answer 401 for A moves traffic to B with no client
 * error, marks A compromised and raises an alert; an emergency revoke of A cuts the stream in
 * flight on it and B serves the next calls.
 */
class VaultIncidentIT {

    @TempDir
    Path secrets;
    private final String keyA = TestKeys.fakeProviderKey();
    private final String keyB = TestKeys.fakeProviderKey();
    private TestGateway gw;
    private SecurityEventTimes events;
    private VaultAdminClient admin;
    private String idA;
    private String idB;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        events = SecurityEventTimes.begin();
        gw = TestGateway.start(keyA, Map.of("KEYWARDEN_VAULT_KEK", "local"));
        gw.upstream.acceptKey(keyB);
        admin = VaultAdminClient.create(gw.gateway.adminUri().orElseThrow(), gw.dataDir);
        idA = admin.keyBySha256(FakeUpstream.fingerprintOf(keyA)).get("id").asText();
        JsonNode backup = admin.add(VaultAdminClient.secretFile(secrets, "backup-key", keyB), "backup", 1);
        idB = backup.get("id").asText();
        assertThat(backup.get("state").asText()).isEqualTo("active");
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        if (events != null) {
            events.close();
        }
    }

    private HttpRequest call(boolean stream, String scenario) {
        HttpRequest.Builder b = gw.request("/v1/messages")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("incident", stream)));
        if (scenario != null) {
            b.header("x-fake-scenario", scenario);
        }
        return b.build();
    }

    private List<RecordedExchange> messageExchanges() {
        return gw.upstream.exchanges().stream().filter(e -> e.path().equals("/v1/messages")).toList();
    }

    @Test
    void upstreamRejectingThePrimaryWith401MovesCallsToTheBackupWithoutAClientErrorAndMarksItCompromised() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(http.send(call(i % 2 == 0, null), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
        assertThat(messageExchanges()).extracting(RecordedExchange::apiKeySha256)
                .containsOnly(FakeUpstream.fingerprintOf(keyA));
        gw.upstream.clearExchanges();

        assertThat(gw.upstream.rejectKey(keyA)).isTrue(); // the key was disabled in the console

        List<Callable<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            boolean stream = i % 2 == 1;
            burst.add(() -> http.send(call(stream, null), HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<HttpResponse<String>> f : pool.invokeAll(burst)) {
                answers.add(f.get());
            }
        }
        answers.add(http.send(call(true, null), HttpResponse.BodyHandlers.ofString()));

        assertThat(answers).allSatisfy(r -> {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).doesNotContain("authentication_error").doesNotContain("event: error");
        });
        assertThat(answers.getLast().body()).contains("event: message_stop");
        List<RecordedExchange> upstream = messageExchanges();
        assertThat(upstream).filteredOn(e -> e.status() == 401).isNotEmpty()
                .allSatisfy(e -> assertThat(e.apiKeySha256()).isEqualTo(FakeUpstream.fingerprintOf(keyA)));
        assertThat(upstream).filteredOn(e -> e.status() == 200).hasSize(answers.size())
                .allSatisfy(e -> assertThat(e.apiKeySha256()).isEqualTo(FakeUpstream.fingerprintOf(keyB)));
        assertThat(upstream.getLast().apiKeySha256()).isEqualTo(FakeUpstream.fingerprintOf(keyB));

        JsonNode a = admin.get("/admin/v1/provider-keys/" + idA);
        assertThat(a.get("state").asText()).isEqualTo("compromised");
        assertThat(admin.get("/admin/v1/provider-keys/" + idB).get("state").asText()).isEqualTo("active");
        assertThat(admin.keyBySha256(FakeUpstream.fingerprintOf(keyA)).get("state").asText()).isEqualTo("compromised");
        assertThat(events.ofType("provider_key.compromised")).singleElement().satisfies(e -> {
            assertThat(e.alert()).isTrue();
            assertThat(e.subject()).isEqualTo(idA);
            assertThat(e.line()).contains("next_key=" + idB).doesNotContain(keyA).doesNotContain(keyB);
        });
    }

    @Test
    void emergencyRevokeThroughTheAdminApiCutsTheStreamInFlightAndTheBackupServesNewCalls() throws Exception {
        HttpResponse<InputStream> streaming = http.send(call(true, "slow"), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(streaming.statusCode()).isEqualTo(200);
        String rest;
        try (InputStream in = streaming.body()) {
            String head = new String(in.readNBytes(40), StandardCharsets.UTF_8);
            assertThat(head).startsWith("event: message_start");

            JsonNode revoked = admin.post("/admin/v1/provider-keys/" + idA + "/revoke", "{\"now\":true}");
            assertThat(revoked.get("state").asText()).isEqualTo("revoked");
            assertThat(revoked.get("calls_cut").asInt()).isEqualTo(1);
            assertThat(revoked.get("was_last_active").asBoolean()).isFalse();

            rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(rest).contains("event: error").doesNotContain("message_stop").doesNotContain(keyA);
        assertThat(events.first("provider_key.revoked", idA).orElseThrow().line()).contains("in_flight_cut=1");

        HttpResponse<String> plain = http.send(call(false, null), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> stream = http.send(call(true, null), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.body()).contains("event: message_stop");
        List<RecordedExchange> upstream = messageExchanges();
        assertThat(upstream).extracting(RecordedExchange::apiKeySha256).containsExactly(
                FakeUpstream.fingerprintOf(keyA), FakeUpstream.fingerprintOf(keyB), FakeUpstream.fingerprintOf(keyB));
        assertThat(admin.get("/admin/v1/provider-keys/" + idA).get("state").asText()).isEqualTo("revoked");
        assertThat(admin.get("/admin/v1/provider-keys/" + idB).get("state").asText()).isEqualTo("active");
    }
}
