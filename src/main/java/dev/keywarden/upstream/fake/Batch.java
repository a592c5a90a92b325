package dev.keywarden.upstream.fake;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One in-memory message batch. Its answers are computed when it is created; its processing status
 * is derived from the clock: {@code in_progress} until its end time, then {@code ended}. A cancel
 * before the end makes the cancel answer say {@code canceling} and every later read say
 * {@code ended} with all requests {@code canceled}.
 *
 * <p>Guarantee: thread-safe; results only exist once the batch has ended.
 */
final class Batch {

    static final Duration EXPIRY = Duration.ofHours(24);

    /**
     * One request of the batch with its precomputed result.
     *
     * @param customId   the client's id
     * @param resultJson the {@code result} object, e.g. {@code {"type":"succeeded","message":…}}
     * @param succeeded  whether it counts as succeeded (else errored)
     */
    record Item(String customId, String resultJson, boolean succeeded) {
    }

    /**
     * The batch at one moment.
     *
     * @param status  processing_status
     * @param endedAt when it ended, or null
     */
    record State(String status, Instant endedAt) {
        boolean ended() {
            return endedAt != null;
        }
    }

    private final String id;
    private final Instant createdAt;
    private final Instant endsAt;
    private final List<Item> items;
    private final int succeeded;
    private Instant cancelInitiatedAt;

    Batch(String id, Instant createdAt, Duration processing, List<Item> items) {
        this.id = id;
        this.createdAt = createdAt;
        this.endsAt = createdAt.plus(processing);
        this.items = List.copyOf(items);
        this.succeeded = (int) items.stream().filter(Item::succeeded).count();
    }

    String id() {
        return id;
    }

    synchronized State state(Instant now) {
        if (cancelInitiatedAt != null) {
            return new State("ended", cancelInitiatedAt);
        }
        return now.isBefore(endsAt) ? new State("in_progress", null) : new State("ended", endsAt);
    }

    /** Cancels a batch still in progress; returns false (and changes nothing) when it had already ended. */
    synchronized boolean cancel(Instant now) {
        if (state(now).ended()) {
            return false;
        }
        cancelInitiatedAt = now;
        return true;
    }

    /** The batch object; {@code canceling} renders the answer to a successful cancel. */
    synchronized String json(Instant now, String baseUri, boolean canceling) {
        State state = state(now);
        boolean ended = state.ended() && !canceling;
        boolean canceled = cancelInitiatedAt != null;
        int total = items.size();
        StringBuilder sb = new StringBuilder(420);
        sb.append("{\"id\":").append(Json.quote(id)).append(",\"type\":\"message_batch\",\"processing_status\":\"")
                .append(canceling ? "canceling" : state.status()).append("\",\"request_counts\":{\"processing\":")
                .append(ended ? 0 : total)
                .append(",\"succeeded\":").append(ended && !canceled ? succeeded : 0)
                .append(",\"errored\":").append(ended && !canceled ? total - succeeded : 0)
                .append(",\"canceled\":").append(ended && canceled ? total : 0)
                .append(",\"expired\":0},\"ended_at\":");
        Json.appendString(sb, ended ? state.endedAt().toString() : null);
        sb.append(",\"created_at\":").append(Json.quote(createdAt.toString()))
                .append(",\"expires_at\":").append(Json.quote(createdAt.plus(EXPIRY).toString()))
                .append(",\"archived_at\":null,\"cancel_initiated_at\":");
        Json.appendString(sb, canceled ? cancelInitiatedAt.toString() : null);
        sb.append(",\"results_url\":");
        Json.appendString(sb, ended ? baseUri + "/v1/messages/batches/" + id + "/results" : null);
        return sb.append('}').toString();
    }

    /** The results as JSON lines, in request order; only call once {@link #state} says ended. */
    synchronized String resultsJsonl() {
        StringBuilder sb = new StringBuilder(items.size() * 600);
        for (Item item : items) {
            sb.append("{\"custom_id\":").append(Json.quote(item.customId())).append(",\"result\":")
                    .append(cancelInitiatedAt != null ? "{\"type\":\"canceled\"}" : item.resultJson())
                    .append("}\n");
        }
        return sb.toString();
    }
}
