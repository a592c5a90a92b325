package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FakeUpstreamBatchesIT {

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

    /** Three requests: one ordinary, one with invalid params, one asking for an error scenario. */
    private static String threeRequests() {
        ObjectNode body = UpstreamHttp.JSON.createObjectNode();
        ArrayNode requests = body.putArray("requests");
        ObjectNode ok = requests.addObject();
        ok.put("custom_id", "ok-1");
        ok.set("params", UpstreamHttp.json(UpstreamHttp.messages("batch me", 100, false)));
        ObjectNode invalid = requests.addObject();
        invalid.put("custom_id", "no_max_tokens");
        invalid.set("params", UpstreamHttp.json("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        ObjectNode overloaded = requests.addObject();
        overloaded.put("custom_id", "overloaded");
        overloaded.set("params", UpstreamHttp.json(UpstreamHttp.messages("fake:overloaded", 100, false)));
        return body.toString();
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return UpstreamHttp.json(r.body());
    }

    @Test
    void batchEndsImmediatelyWithCountsFilledAndAResultsUrl() throws Exception {
        JsonNode batch = ok(http.post("/v1/messages/batches", threeRequests()));

        assertThat(batch.path("id").asText()).matches("msgbatch_01[A-Za-z0-9]{22}");
        assertThat(batch.path("type").asText()).isEqualTo("message_batch");
        assertThat(batch.path("processing_status").asText()).isEqualTo("ended");
        JsonNode counts = batch.path("request_counts");
        assertThat(counts.path("processing").asInt()).isZero();
        assertThat(counts.path("succeeded").asInt()).isEqualTo(1);
        assertThat(counts.path("errored").asInt()).isEqualTo(2);
        assertThat(counts.path("canceled").asInt()).isZero();
        assertThat(counts.path("expired").asInt()).isZero();
        Instant created = Instant.parse(batch.path("created_at").asText());
        assertThat(Instant.parse(batch.path("expires_at").asText())).isEqualTo(created.plusSeconds(24 * 3600));
        assertThat(batch.path("ended_at").isTextual()).isTrue();
        assertThat(batch.get("cancel_initiated_at").isNull()).isTrue();
        assertThat(batch.path("results_url").asText())
                .isEqualTo(upstream.baseUri() + "/v1/messages/batches/" + batch.path("id").asText() + "/results");
    }

    @Test
    void resultsAreJsonLinesInRequestOrderWithMessagesOrErrors() throws Exception {
        String id = ok(http.post("/v1/messages/batches", threeRequests())).path("id").asText();

        HttpResponse<String> r = http.get("/v1/messages/batches/" + id + "/results");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/x-jsonl");
        List<JsonNode> lines = r.body().lines().map(UpstreamHttp::json).toList();
        assertThat(lines).extracting(l -> l.path("custom_id").asText()).containsExactly("ok-1", "no_max_tokens", "overloaded");
        JsonNode succeeded = lines.get(0).path("result");
        assertThat(succeeded.path("type").asText()).isEqualTo("succeeded");
        assertThat(succeeded.path("message").path("content").get(0).path("text").asText()).endsWith("You said: batch me");
        JsonNode invalid = lines.get(1).path("result");
        assertThat(invalid.path("type").asText()).isEqualTo("errored");
        assertThat(invalid.path("error").path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(invalid.path("error").path("error").path("message").asText()).isEqualTo("params.max_tokens: Field required");
        assertThat(lines.get(2).path("result").path("error").path("error").path("type").asText()).isEqualTo("overloaded_error");
    }

    @Test
    void inProgressBatchCanBeCanceledThenDeletedButNotBefore() throws Exception {
        String id = ok(http.post("/v1/messages/batches", threeRequests(), "x-fake-batch-processing-ms", "600000"))
                .path("id").asText();
        JsonNode running = ok(http.get("/v1/messages/batches/" + id));
        assertThat(running.path("processing_status").asText()).isEqualTo("in_progress");
        assertThat(running.path("request_counts").path("processing").asInt()).isEqualTo(3);
        assertThat(running.get("results_url").isNull()).isTrue();
        assertThat(http.get("/v1/messages/batches/" + id + "/results").statusCode()).isEqualTo(400);
        assertThat(http.delete("/v1/messages/batches/" + id).statusCode()).isEqualTo(400);

        JsonNode canceling = ok(http.post("/v1/messages/batches/" + id + "/cancel", ""));
        assertThat(canceling.path("processing_status").asText()).isEqualTo("canceling");
        assertThat(canceling.path("cancel_initiated_at").isTextual()).isTrue();

        JsonNode ended = ok(http.get("/v1/messages/batches/" + id));
        assertThat(ended.path("processing_status").asText()).isEqualTo("ended");
        assertThat(ended.path("request_counts").path("canceled").asInt()).isEqualTo(3);
        assertThat(ended.path("request_counts").path("succeeded").asInt()).isZero();
        String results = http.get("/v1/messages/batches/" + id + "/results").body();
        assertThat(results.lines()).hasSize(3).allSatisfy(l ->
                assertThat(UpstreamHttp.json(l).path("result").path("type").asText()).isEqualTo("canceled"));

        JsonNode deleted = ok(http.delete("/v1/messages/batches/" + id));
        assertThat(deleted.path("id").asText()).isEqualTo(id);
        assertThat(deleted.path("type").asText()).isEqualTo("message_batch_deleted");
        assertThat(http.get("/v1/messages/batches/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void cancelingAnEndedBatchChangesNothing() throws Exception {
        String id = ok(http.post("/v1/messages/batches", threeRequests())).path("id").asText();

        JsonNode after = ok(http.post("/v1/messages/batches/" + id + "/cancel", ""));

        assertThat(after.path("processing_status").asText()).isEqualTo("ended");
        assertThat(after.path("request_counts").path("succeeded").asInt()).isEqualTo(1);
        assertThat(after.get("cancel_initiated_at").isNull()).isTrue();
    }

    @Test
    void listShowsNewestFirstAndPagesWithCursors() throws Exception {
        String a = ok(http.post("/v1/messages/batches", threeRequests())).path("id").asText();
        String b = ok(http.post("/v1/messages/batches", threeRequests())).path("id").asText();
        String c = ok(http.post("/v1/messages/batches", threeRequests())).path("id").asText();

        JsonNode first = ok(http.get("/v1/messages/batches?limit=2"));
        JsonNode second = ok(http.get("/v1/messages/batches?limit=2&after_id=" + first.path("last_id").asText()));

        assertThat(first.path("data").get(0).path("id").asText()).isEqualTo(c);
        assertThat(first.path("data").get(1).path("id").asText()).isEqualTo(b);
        assertThat(first.path("has_more").asBoolean()).isTrue();
        assertThat(second.path("data").get(0).path("id").asText()).isEqualTo(a);
        assertThat(second.path("data").get(0).path("type").asText()).isEqualTo("message_batch");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                                                  | requests: Field required",
            "{\"requests\":[]}                                                   | requests: at least one request is required",
            "{\"requests\":[{\"params\":{}}]}                                    | requests.0.custom_id: Field required",
            "{\"requests\":[{\"custom_id\":\"has space\",\"params\":{}}]}        | requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
            "{\"requests\":[{\"custom_id\":\"a\"}]}                              | requests.0.params: Field required",
            "{\"requests\":[{\"custom_id\":\"a\",\"params\":{}},{\"custom_id\":\"a\",\"params\":{}}]} | requests.1.custom_id: 'a' is used more than once; custom_id must be unique within a batch",
    })
    void invalidBatchesAreRefusedWith400NamingTheField(String body, String message) throws Exception {
        HttpResponse<String> r = http.post("/v1/messages/batches", body);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(UpstreamHttp.json(r.body()).path("error").path("message").asText()).isEqualTo(message);
    }

    @Test
    void unknownBatchIs404ForEveryOperation() throws Exception {
        String path = "/v1/messages/batches/msgbatch_01doesnotexist";

        assertThat(http.get(path).statusCode()).isEqualTo(404);
        assertThat(http.get(path + "/results").statusCode()).isEqualTo(404);
        assertThat(http.post(path + "/cancel", "").statusCode()).isEqualTo(404);
        assertThat(http.delete(path).statusCode()).isEqualTo(404);
        assertThat(UpstreamHttp.json(http.get(path).body()).path("error").path("type").asText()).isEqualTo("not_found_error");
    }
}
