package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FakeUpstreamRecordingIT {

    private static FakeUpstream upstream;
    private static UpstreamHttp http;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start(FakeUpstreamOptions.defaults(UpstreamHttp.KEY));
        http = new UpstreamHttp(upstream);
    }

    @AfterAll
    static void stop() {
        http.close();
        upstream.close();
    }

    @BeforeEach
    void clear() {
        upstream.clearExchanges();
    }

    @Test
    void recordsEveryRequestInOrderWithLowerCaseHeadersQueryAndExactBody() throws Exception {
        String body = UpstreamHttp.messages("record me", 10, false);
        http.post("/v1/messages?beta=true", body, "Anthropic-Beta", "a,b", "X-Custom", "1", "X-Custom", "2");
        http.get("/v1/models?limit=3");

        List<RecordedExchange> all = upstream.exchanges();

        assertThat(all).hasSize(2);
        assertThat(upstream.requestCount()).isEqualTo(2);
        RecordedExchange first = all.get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.path()).isEqualTo("/v1/messages");
        assertThat(first.query()).isEqualTo("beta=true");
        assertThat(first.requestBody()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        assertThat(first.header("anthropic-beta")).isEqualTo("a,b");
        assertThat(first.headers().get("x-custom")).containsExactly("1", "2");
        assertThat(first.header("x-api-key")).isEqualTo(UpstreamHttp.KEY);
        assertThat(first.headers().keySet()).allMatch(name -> name.equals(name.toLowerCase()));
        assertThat(first.status()).isEqualTo(200);
        assertThat(all.get(1).path()).isEqualTo("/v1/models");
        assertThat(all.get(1).query()).isEqualTo("limit=3");
        assertThat(all.get(1).requestBody()).isEmpty();
    }

    @Test
    void recordedJsonResponseIsExactlyTheBytesTheClientReceived() throws Exception {
        HttpResponse<byte[]> r = http.sendBytes(http.request("/v1/messages")
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages("bytes", 10, false))).build());

        RecordedExchange recorded = upstream.exchanges().get(0);

        assertThat(recorded.responseBody()).isEqualTo(r.body());
        assertThat(recorded.status()).isEqualTo(r.statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "crlf", "cr", "multi_data", "no_final_blank", "mid_stream_error"})
    void recordedStreamIsExactlyTheSseBytesTheClientReceived(String scenario) throws Exception {
        String text = scenario.equals("none") ? "sse bytes" : "fake:" + scenario + " sse bytes";
        HttpResponse<byte[]> r = http.sendBytes(http.request("/v1/messages")
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamHttp.messages(text, 100, true))).build());

        RecordedExchange recorded = upstream.exchanges().get(0);

        assertThat(r.body()).isNotEmpty();
        assertThat(recorded.responseBody()).isEqualTo(r.body());
    }

    @Test
    void errorsAreRecordedWithTheirStatusAndBody() throws Exception {
        HttpResponse<String> r = http.send(http.request("/v1/models").setHeader("x-api-key", "nope").GET().build());

        RecordedExchange recorded = upstream.exchanges().get(0);

        assertThat(recorded.status()).isEqualTo(401);
        assertThat(recorded.responseBodyText()).isEqualTo(r.body());
    }

    @Test
    void clearExchangesForgetsThemAndResetsTheCount() throws Exception {
        http.get("/v1/models");
        http.get("/v1/models");

        upstream.clearExchanges();

        assertThat(upstream.exchanges()).isEmpty();
        assertThat(upstream.requestCount()).isZero();
        http.get("/v1/models");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void aSnapshotIsNotChangedByLaterRequests() throws Exception {
        http.get("/v1/models");
        List<RecordedExchange> snapshot = upstream.exchanges();

        http.get("/v1/models");

        assertThat(snapshot).hasSize(1);
        assertThat(upstream.exchanges()).hasSize(2);
    }

    @Test
    void toStringOfARecordedExchangeNeverShowsTheKey() throws Exception {
        http.get("/v1/models");

        assertThat(upstream.exchanges().get(0).toString()).doesNotContain(UpstreamHttp.KEY).contains("x-api-key");
    }
}
