package dev.keywarden.upstream.fake;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;

/**
 * The Message Batches API, in memory: create, list (paginated, newest first), get, cancel,
 * delete (only once ended) and results (JSON lines).
 *
 * <p>Guarantee: a batch ends immediately unless the create request carries
 * {@code x-fake-batch-processing-ms: N}, in which case it stays {@code in_progress} for N ms.
 * Each request's answer is computed at creation: invalid {@code params}, {@code "stream": true},
 * or an error scenario named by {@code fake:NAME} make that request {@code errored}; the others
 * {@code succeeded} with the same Message a direct call would get.
 */
final class BatchesEndpoint {

    static final String PROCESSING_HEADER = "x-fake-batch-processing-ms";
    static final int MAX_REQUESTS = 100_000;
    private static final Pattern CUSTOM_ID = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    private final BatchStore store;
    private final Supplier<String> baseUri;

    BatchesEndpoint(BatchStore store, Supplier<String> baseUri) {
        this.store = store;
        this.baseUri = baseUri;
    }

    Reply create(Call call) {
        Duration processing = processingTime(call.headers().get(PROCESSING_HEADER));
        JsonNode root = RequestJson.parseObject(call.body());
        JsonNode requests = root.get("requests");
        if (requests == null || requests.isNull()) {
            throw ApiError.invalidRequest("requests: Field required");
        }
        if (!requests.isArray()) {
            throw ApiError.invalidRequest("requests: Input should be a valid list");
        }
        if (requests.isEmpty()) {
            throw ApiError.invalidRequest("requests: at least one request is required");
        }
        if (requests.size() > MAX_REQUESTS) {
            throw ApiError.invalidRequest("requests: at most " + MAX_REQUESTS + " requests are allowed in one batch");
        }
        List<Batch.Item> items = new ArrayList<>(requests.size());
        Betas betas = Betas.of(call.headers());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            JsonNode entry = requests.get(i);
            String where = "requests." + i;
            if (!entry.isObject()) {
                throw ApiError.invalidRequest(where + ": Input should be a valid dictionary");
            }
            JsonNode customId = entry.get("custom_id");
            if (customId == null || customId.isNull()) {
                throw ApiError.invalidRequest(where + ".custom_id: Field required");
            }
            if (!customId.isTextual() || !CUSTOM_ID.matcher(customId.asText()).matches()) {
                throw ApiError.invalidRequest(where + ".custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
            }
            if (!seen.add(customId.asText())) {
                throw ApiError.invalidRequest(where + ".custom_id: '" + customId.asText()
                        + "' is used more than once; custom_id must be unique within a batch");
            }
            JsonNode params = entry.get("params");
            if (params == null || params.isNull()) {
                throw ApiError.invalidRequest(where + ".params: Field required");
            }
            if (!params.isObject()) {
                throw ApiError.invalidRequest(where + ".params: Input should be a valid dictionary");
            }
            items.add(answer(customId.asText(), params, betas));
        }
        Batch batch = new Batch(Ids.batchId(), Instant.now(), processing, items);
        store.add(batch);
        return Reply.json(200, batch.json(Instant.now(), baseUri.get(), false));
    }

    Reply list(Call call) {
        Pagination.Params params = Pagination.params(call.query());
        Instant now = Instant.now();
        Pagination.Page<Batch> page = Pagination.page(store.newestFirst(), Batch::id, params);
        return Reply.json(200, Pagination.toJson(page, Batch::id, b -> b.json(now, baseUri.get(), false)));
    }

    Reply get(String id) {
        return Reply.json(200, find(id).json(Instant.now(), baseUri.get(), false));
    }

    Reply cancel(String id) {
        Batch batch = find(id);
        Instant now = Instant.now();
        boolean canceled = batch.cancel(now);
        return Reply.json(200, batch.json(now, baseUri.get(), canceled));
    }

    Reply delete(String id) {
        Batch batch = find(id);
        if (!batch.state(Instant.now()).ended()) {
            throw ApiError.invalidRequest("Message batch " + batch.id()
                    + " is still in_progress; cancel it and wait until it has ended before deleting it");
        }
        store.remove(id);
        return Reply.json(200, "{\"id\":" + Json.quote(id) + ",\"type\":\"message_batch_deleted\"}");
    }

    Reply results(String id) {
        Batch batch = find(id);
        if (!batch.state(Instant.now()).ended()) {
            throw ApiError.invalidRequest("Message batch " + batch.id()
                    + " has not ended yet; results are available once processing_status is ended");
        }
        return new Reply.Full(200, Reply.JSONL, batch.resultsJsonl().getBytes(StandardCharsets.UTF_8), HttpFields.EMPTY);
    }

    private Batch find(String id) {
        return store.get(id).orElseThrow(() -> ApiError.notFound("Message batch not found: " + Echo.safe(id, 80)));
    }

    private static Batch.Item answer(String customId, JsonNode params, Betas betas) {
        String requestId = Ids.requestId();
        try {
            MessagesRequest request = MessagesRequest.forMessages(params, "params.", betas);
            if (request.stream()) {
                throw ApiError.invalidRequest("params.stream: streaming is not supported in message batches");
            }
            Scenario scenario = request.scenarioFromText();
            if (scenario.isErrorStatus()) {
                throw ScenarioErrors.errorFor(scenario);
            }
            Scenario shape = scenario == Scenario.BIG || scenario == Scenario.SLOW || scenario == Scenario.TOOL_USE
                    ? scenario : Scenario.NONE;
            SimulatedReply reply = SimulatedReply.forRequest(request, shape);
            String message = MessageJson.message(Ids.messageId(), request.model(), reply, request.inputTokens());
            return new Batch.Item(customId, "{\"type\":\"succeeded\",\"message\":" + message + "}", true);
        } catch (ApiError e) {
            return new Batch.Item(customId, "{\"type\":\"errored\",\"error\":" + e.toJson(requestId) + "}", false);
        }
    }

    private static Duration processingTime(String header) {
        if (header == null) {
            return Duration.ZERO;
        }
        try {
            long ms = Long.parseLong(header.strip());
            if (ms >= 0 && ms <= 86_400_000L) {
                return Duration.ofMillis(ms);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiError.invalidRequest(PROCESSING_HEADER + ": must be a whole number of milliseconds between 0 and 86400000");
    }
}
