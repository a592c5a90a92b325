package dev.keywarden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.audit.AuditEntry;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditTrail;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code keywarden usage} over a store filled through the real {@link AuditTrail}. */
class UsageCommandTest {

    @TempDir
    Path dir;
    final ObjectMapper json = new ObjectMapper();

    static AuditEntry call(Instant at, String principal, String model, String key, long in, long out, long cacheW, long cacheR) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("request_id", "req_" + at.toEpochMilli() + in);
        f.put("action", "messages");
        if (principal != null) {
            f.put("principal", principal);
            f.put("credential_prefix", "kw_abcd");
        }
        f.put("model", model);
        f.put("input_tokens", in);
        f.put("output_tokens", out);
        f.put("cache_creation_input_tokens", cacheW);
        f.put("cache_read_input_tokens", cacheR);
        f.put("status", principal == null ? 401 : 200);
        f.put("provider_key", key);
        if ("fp_b".equals(key)) {
            f.put("cost_usd", 0.0123); // a priced call; alice's calls carry no price
        }
        return new AuditEntry(AuditEntry.CALL, at, f);
    }

    @BeforeEach
    void fill() {
        Instant now = Instant.now();
        try (Database db = Database.openSqlite(dir);
             AuditTrail trail = AuditTrail.start(new AuditStore(db), ServerSecret.loadOrCreate(dir), "main",
                     AuditTrail.Options.defaults(), List.of())) {
            trail.append(call(now.minus(Duration.ofHours(1)), "alice", "claude-sonnet-4-5", "fp_a", 100, 10, 5, 1));
            trail.append(call(now.minus(Duration.ofHours(2)), "alice", "claude-haiku-4-5", "fp_a", 200, 20, 0, 2));
            trail.append(call(now.minus(Duration.ofHours(3)), "bob", "claude-sonnet-4-5", "fp_b", 300, 30, 0, 0));
            trail.append(call(now.minus(Duration.ofMinutes(5)), null, "claude-sonnet-4-5", null, 0, 0, 0, 0));
            trail.append(call(now.minus(Duration.ofDays(10)), "alice", "claude-sonnet-4-5", "fp_a", 9_000, 900, 0, 0));
            trail.record(SecurityEvent.of("key.rotated", "fp_a", Map.of()));
        }
    }

    JsonNode usage(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        all[0] = "usage";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--json";
        all[args.length + 2] = "--data-dir";
        all[args.length + 3] = dir.toString();
        CliRunner.Run run = CliRunner.run(Map.of(), all);
        assertThat(run.exitCode()).as(run.all()).isZero();
        return json.readTree(run.out());
    }

    static JsonNode row(JsonNode report, String field, String group) {
        for (JsonNode r : report.path("rows")) {
            if (r.path(field).asText().equals(group)) {
                return r;
            }
        }
        throw new AssertionError("no row " + group + " in " + report);
    }

    @Test
    void byPrincipalSumsRequestsAndTokensOfCallRecordsInTheWindow() throws Exception {
        JsonNode report = usage("--by", "principal", "--since", "7d");
        assertThat(report.path("by").asText()).isEqualTo("principal");
        JsonNode alice = row(report, "principal", "alice");
        assertThat(alice.path("requests").asLong()).isEqualTo(2);
        assertThat(alice.path("input_tokens").asLong()).isEqualTo(300);
        assertThat(alice.path("output_tokens").asLong()).isEqualTo(30);
        assertThat(alice.path("cache_creation_input_tokens").asLong()).isEqualTo(5);
        assertThat(alice.path("cache_read_input_tokens").asLong()).isEqualTo(3);
        assertThat(alice.path("cost_usd").isNull()).isTrue();
        assertThat(row(report, "principal", "bob").path("input_tokens").asLong()).isEqualTo(300);
        assertThat(row(report, "principal", "bob").path("cost_usd").asDouble()).isEqualTo(0.0123);
        assertThat(report.path("total").path("cost_usd").asDouble()).as("sums the priced calls").isEqualTo(0.0123);
        assertThat(row(report, "principal", "(none)").path("requests").asLong()).as("unauthenticated call").isEqualTo(1);
        assertThat(report.path("rows")).hasSize(3);
        assertThat(report.path("total").path("requests").asLong()).as("the 10-day-old call and the event are left out").isEqualTo(4);
        assertThat(report.path("total").path("input_tokens").asLong()).isEqualTo(600);
    }

    @Test
    void byModelAndByKeyGroupOnThoseFields() throws Exception {
        JsonNode byModel = usage("--by", "model", "--since", "24h");
        assertThat(row(byModel, "model", "claude-sonnet-4-5").path("requests").asLong()).isEqualTo(3);
        assertThat(row(byModel, "model", "claude-sonnet-4-5").path("input_tokens").asLong()).isEqualTo(400);
        assertThat(row(byModel, "model", "claude-haiku-4-5").path("output_tokens").asLong()).isEqualTo(20);
        JsonNode byKey = usage("--by", "key", "--since", "24h");
        assertThat(row(byKey, "key", "fp_a").path("requests").asLong()).isEqualTo(2);
        assertThat(row(byKey, "key", "fp_b").path("requests").asLong()).isEqualTo(1);
        assertThat(row(byKey, "key", "(none)").path("requests").asLong()).isEqualTo(1);
    }

    @Test
    void aShortWindowKeepsOnlyRecentCalls() throws Exception {
        JsonNode report = usage("--since", "30m");
        assertThat(report.path("total").path("requests").asLong()).isEqualTo(1);
        JsonNode wide = usage("--since", "2w");
        assertThat(wide.path("total").path("requests").asLong()).isEqualTo(5);
        assertThat(wide.path("total").path("input_tokens").asLong()).isEqualTo(9_600);
    }

    @Test
    void theTableHasOneRowPerGroupATotalAndADashWhereNothingWasPriced() {
        CliRunner.Run run = CliRunner.run(Map.of(), "usage", "--by", "model", "--since", "7d", "--data-dir", dir.toString());
        assertThat(run.exitCode()).as(run.all()).isZero();
        List<String> lines = run.outLines();
        assertThat(lines.get(0)).startsWith("usage since ").endsWith("by model");
        assertThat(lines.get(1)).matches("MODEL\\s+REQUESTS\\s+INPUT\\s+OUTPUT\\s+CACHE_WRITE\\s+CACHE_READ\\s+COST");
        assertThat(lines.get(2)).matches("claude-sonnet-4-5\\s+3\\s+400\\s+40\\s+5\\s+1\\s+0\\.0123");
        assertThat(lines.get(3)).matches("claude-haiku-4-5\\s+1\\s+200\\s+20\\s+0\\s+2\\s+-");
        assertThat(lines.get(4)).matches("total\\s+4\\s+600\\s+60\\s+5\\s+3\\s+0\\.0123");
    }

    @Test
    void badArgumentsNameTheOptionAndTheAcceptedValues() {
        CliRunner.Run badBy = CliRunner.run(Map.of(), "usage", "--by", "team", "--data-dir", dir.toString());
        assertThat(badBy.exitCode()).isNotZero();
        assertThat(badBy.err()).contains("--by: expected principal, model or key");
        CliRunner.Run badSince = CliRunner.run(Map.of(), "usage", "--since", "7days", "--data-dir", dir.toString());
        assertThat(badSince.exitCode()).isNotZero();
        assertThat(badSince.err()).contains("--since").contains("30m, 24h, 7d");
        CliRunner.Run noDir = CliRunner.run(Map.of(), "usage", "--data-dir", dir.resolve("missing").toString());
        assertThat(noDir.exitCode()).isNotZero();
        assertThat(noDir.all()).contains("no Keywarden store at").contains("--data-dir");
    }

    @Test
    void costCountsCallsThatUsedNothingAsFreeAndCountsCallsOfModelsWithoutAPrice() throws Exception {
        JsonNode byPrincipal = usage("--by", "principal", "--since", "7d");
        JsonNode none = row(byPrincipal, "principal", "(none)");
        assertThat(none.path("cost_usd").isNull()).as("a refused call used nothing, so it cost nothing").isFalse();
        assertThat(none.path("cost_usd").asDouble()).isZero();
        assertThat(row(byPrincipal, "principal", "alice").path("unpriced_requests").asLong()).isEqualTo(2);
        assertThat(byPrincipal.path("total").path("unpriced_requests").asLong()).isEqualTo(2);

        CliRunner.Run table = CliRunner.run(Map.of(), "usage", "--by", "model", "--since", "7d", "--data-dir", dir.toString());
        assertThat(table.out()).contains("COST leaves out 2 calls of models without a price").contains("pricing.file");
        CliRunner.Run help = CliRunner.run(Map.of(), "usage", "--help");
        assertThat(help.out()).doesNotContain("until pricing exists").contains("pricing table");
    }
}
