package dev.keywarden.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.audit.AuditEntry;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.StoredAuditRecord;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Usage totals grouped by principal, model or provider key, computed from the call records of the
 * audit store since a given instant. Guarantee: groups are the identifiers the audit record already
 * holds (principal name, model, provider-key fingerprint) — never a credential. Cost is the sum of
 * the prices the gateway recorded with each call (from the pricing table at the time of the call); a
 * call that used no tokens costs 0. A call that used tokens of a model without a price is counted in
 * {@link Row#unpricedRequests()} and left out of the cost, never guessed; a group none of whose calls
 * could be priced has a {@code null} cost.
 */
public final class UsageReport {

    /** What rows are grouped by. */
    public enum By {
        PRINCIPAL("principal"), MODEL("model"), KEY("provider_key");

        private final String field;

        By(String field) {
            this.field = field;
        }

        /** The audit record field that names the group. */
        public String field() {
            return field;
        }

        /** {@code principal}, {@code model} or {@code key} (case-insensitive). */
        public static By parse(String text) {
            for (By b : values()) {
                if (b.name().equalsIgnoreCase(text == null ? "" : text.strip())) {
                    return b;
                }
            }
            throw new IllegalArgumentException("--by: expected principal, model or key, got '" + text + "'");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Totals of one group; {@code costUsd} sums the priced calls, null when none was priced;
     * {@code unpricedRequests} counts the calls that used tokens but had no price (their cost is unknown).
     */
    public record Row(String group, long requests, long inputTokens, long outputTokens, long cacheCreationInputTokens,
                      long cacheReadInputTokens, Double costUsd, long unpricedRequests) {
    }

    /** The group name of calls whose record lacks the grouping field (unauthenticated calls, no model). */
    public static final String NONE = "(none)";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final By by;
    private final Instant since;
    private final List<Row> rows;
    private final Row total;

    private UsageReport(By by, Instant since, List<Row> rows, Row total) {
        this.by = by;
        this.since = since;
        this.rows = List.copyOf(rows);
        this.total = total;
    }

    /** Reads every call record at or after {@code since}; rows sorted by requests, then name. */
    public static UsageReport read(AuditStore store, By by, Instant since) {
        Map<String, long[]> groups = new TreeMap<>();
        // records store Instant.toString(), whose text order is off by fractions within one second: read a second early, filter exactly
        String from = since.truncatedTo(ChronoUnit.SECONDS).minusSeconds(1).toString();
        store.forEachSince(from, r -> add(groups, r, by, since));
        List<Row> rows = new ArrayList<>();
        long[] sum = new long[8];
        groups.forEach((group, t) -> {
            rows.add(row(group, t));
            for (int i = 0; i < sum.length; i++) {
                sum[i] += t[i];
            }
        });
        rows.sort(Comparator.comparingLong(Row::requests).reversed().thenComparing(Row::group));
        return new UsageReport(by, since, rows, row("total", sum));
    }

    private static void add(Map<String, long[]> groups, StoredAuditRecord r, By by, Instant since) {
        if (!AuditEntry.CALL.equals(r.kind())) {
            return;
        }
        try {
            if (Instant.parse(r.at()).isBefore(since)) {
                return;
            }
            JsonNode body = JSON.readTree(r.body());
            String group = body.path(by.field()).asText(NONE);
            if (group.isBlank()) {
                group = NONE;
            }
            long[] t = groups.computeIfAbsent(group, g -> new long[8]);
            long in = body.path("input_tokens").asLong(0);
            long out = body.path("output_tokens").asLong(0);
            long cacheWrite = body.path("cache_creation_input_tokens").asLong(0);
            long cacheRead = body.path("cache_read_input_tokens").asLong(0);
            t[0]++;
            t[1] += in;
            t[2] += out;
            t[3] += cacheWrite;
            t[4] += cacheRead;
            if (body.hasNonNull("cost_usd")) {
                t[5] += Math.round(body.get("cost_usd").asDouble() * 1e9); // nano-dollars: exact enough, no float drift
                t[6]++;
            } else if (in + out + cacheWrite + cacheRead == 0) {
                t[6]++; // used nothing (refused, failed): costs nothing
            } else {
                t[7]++; // used tokens of a model without a price
            }
        } catch (DateTimeParseException | com.fasterxml.jackson.core.JsonProcessingException e) {
            // not a record this report can read (audit verify reports tampering); skip it
        }
    }

    private static Row row(String group, long[] t) {
        return new Row(group, t[0], t[1], t[2], t[3], t[4], t[6] == 0 ? null : t[5] / 1e9, t[7]);
    }

    public By by() {
        return by;
    }

    public Instant since() {
        return since;
    }

    public List<Row> rows() {
        return rows;
    }

    public Row total() {
        return total;
    }
}
