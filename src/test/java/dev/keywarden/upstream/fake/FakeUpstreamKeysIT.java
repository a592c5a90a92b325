package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.testing.TestKeys;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake upstream's key controls: several accepted keys, rejection at run time, per-exchange key fingerprints. */
class FakeUpstreamKeysIT {

    private final String keyA = TestKeys.fakeProviderKey();
    private final String keyB = TestKeys.fakeProviderKey();
    private FakeUpstream upstream;
    private UpstreamHttp http;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start(FakeUpstreamOptions.defaults(keyA));
        http = new UpstreamHttp(upstream);
    }

    @AfterEach
    void stop() {
        http.close();
        upstream.close();
    }

    private int post(String key) throws Exception {
        HttpRequest r = http.request("/v1/messages").setHeader("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages("hi", 10, false))).build();
        return http.send(r).statusCode();
    }

    @Test
    void aKeyAcceptedAtRunTimeWorksAlongsideTheConfiguredOne() throws Exception {
        assertThat(post(keyB)).isEqualTo(401);

        upstream.acceptKey(keyB);
        upstream.acceptKey(keyB);

        assertThat(post(keyA)).isEqualTo(200);
        assertThat(post(keyB)).isEqualTo(200);
        assertThat(upstream.acceptedKeyCount()).isEqualTo(2);
    }

    @Test
    void aRejectedKeyGets401AuthenticationErrorFromTheNextRequestOn() throws Exception {
        upstream.acceptKey(keyB);
        assertThat(post(keyA)).isEqualTo(200);

        assertThat(upstream.rejectKey(keyA)).isTrue();
        assertThat(upstream.rejectKey(keyA)).isFalse();

        HttpResponse<String> refused = http.send(http.request("/v1/messages").setHeader("x-api-key", keyA)
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages("hi", 10, false))).build());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("authentication_error").doesNotContain(keyA);
        assertThat(post(keyB)).isEqualTo(200);
    }

    @Test
    void everyExchangeNamesItsKeyByFingerprintAndArrivalTimeButNeverPrintsIt() throws Exception {
        upstream.acceptKey(keyB);
        long before = System.nanoTime();
        post(keyA);
        post(keyB);
        http.send(http.request("/v1/models").setHeader("x-api-key", keyA).GET().build());
        HttpRequest bearer = HttpRequest.newBuilder(upstream.baseUri().resolve("/v1/models"))
                .header("authorization", "Bearer " + keyB).header("anthropic-version", "2023-06-01").GET().build();
        http.send(bearer);
        HttpRequest none = HttpRequest.newBuilder(upstream.baseUri().resolve("/v1/models"))
                .header("anthropic-version", "2023-06-01").GET().build();
        http.send(none);

        List<RecordedExchange> all = upstream.exchanges();

        assertThat(all).extracting(RecordedExchange::apiKeySha256).containsExactly(FakeUpstream.fingerprintOf(keyA),
                FakeUpstream.fingerprintOf(keyB), FakeUpstream.fingerprintOf(keyA), FakeUpstream.fingerprintOf(keyB), null);
        assertThat(FakeUpstream.fingerprintOf(keyA)).hasSize(64).matches("[0-9a-f]+");
        assertThat(all).extracting(RecordedExchange::arrivedNanos).isSorted().allSatisfy(t -> assertThat(t).isGreaterThan(before));
        assertThat(all.toString()).doesNotContain(keyA).doesNotContain(keyB);
        assertThat(upstream.toString()).doesNotContain(keyA);
    }
}
