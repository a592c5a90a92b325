package dev.keywarden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.vault.ProviderKey;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit trail as the gateway writes it: one complete record per call, none lost, strict mode fails closed. */
class AuditIT {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Call records (kind "call") in chain order, read after the gateway closed (so the queue is drained). */
    static List<JsonNode> callRecords(TestGateway gw) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Database db = Database.openSqlite(gw.dataDir)) {
            AuditStore store = new AuditStore(db);
            for (String chain : store.chains()) {
                List<StoredAuditRecord> rows = new ArrayList<>();
                store.forEach(chain, rows::add);
                for (StoredAuditRecord r : rows) {
                    if (r.kind().equals("call")) {
                        out.add(JSON.readTree(r.body()));
                    }
                }
            }
        }
        return out;
    }

    static List<String> allBodies(TestGateway gw) throws Exception {
        List<String> out = new ArrayList<>();
        try (Database db = Database.openSqlite(gw.dataDir)) {
            AuditStore store = new AuditStore(db);
            store.forEachSince("", r -> out.add(r.body()));
        }
        return out;
    }

    @Test
    void aPlainCallIsRecordedWithEveryField() throws Exception {
        TestGateway gw = TestGateway.start(Map.of());
        HttpResponse<byte[]> r;
        try (gw) {
            r = gw.send(gw.request("/v1/messages").header("user-agent", "audit-test/1.0").header("origin", "https://app.example")
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hello", false))).build());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        JsonNode rec = callRecords(gw).get(0);
        assertThat(rec.get("action").asText()).isEqualTo("messages");
        assertThat(rec.get("method").asText()).isEqualTo("POST");
        assertThat(rec.get("path").asText()).isEqualTo("/v1/messages");
        assertThat(rec.get("request_id").asText()).isNotBlank();
        assertThat(rec.get("principal").asText()).isEqualTo("test-client");
        assertThat(rec.get("credential_kind").asText()).isEqualTo("virtual_key");
        assertThat(rec.get("credential_id").asText()).startsWith("vk_");
        assertThat(rec.get("credential_prefix").asText()).startsWith("kw_");
        assertThat(rec.get("model").asText()).startsWith("claude-");
        assertThat(rec.get("stream").asBoolean()).isFalse();
        assertThat(rec.get("input_tokens").asLong()).isPositive();
        assertThat(rec.get("output_tokens").asLong()).isPositive();
        assertThat(rec.has("cache_creation_input_tokens")).isTrue();
        assertThat(rec.has("cache_read_input_tokens")).isTrue();
        assertThat(rec.get("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(rec.get("cost_usd").asDouble()).as("priced at the shipped claude-sonnet-4-5 rates")
                .isCloseTo((rec.get("input_tokens").asLong() * 3.0 + rec.get("output_tokens").asLong() * 15.0) / 1e6,
                        org.assertj.core.api.Assertions.within(1e-12));
        assertThat(rec.get("status").asInt()).isEqualTo(200);
        assertThat(rec.has("error_type")).isFalse();
        assertThat(rec.get("upstream_status").asInt()).isEqualTo(200);
        assertThat(rec.get("provider_key").asText()).isEqualTo(ProviderKey.fingerprintOf(gw.providerKey));
        assertThat(rec.get("latency_ms").asDouble()).isPositive();
        assertThat(rec.get("upstream_latency_ms").asDouble()).isPositive()
                .isLessThanOrEqualTo(rec.get("latency_ms").asDouble());
        assertThat(rec.get("client_address").asText()).isEqualTo("127.0.0.1");
        assertThat(rec.get("user_agent").asText()).isEqualTo("audit-test/1.0");
        assertThat(rec.get("origin").asText()).isEqualTo("https://app.example");
        assertThat(rec.get("client_aborted").asBoolean()).isFalse();
        assertThat(allBodies(gw)).noneMatch(b -> b.contains(gw.providerKey) || b.contains(gw.virtualKey)
                || b.contains("hello"));
    }

    @Test
    void aStreamedCallRecordsTheMeteredUsage() throws Exception {
        TestGateway gw = TestGateway.start(Map.of());
        try (gw) {
            assertThat(gw.postMessages(TestGateway.messageBody("stream please", true)).statusCode()).isEqualTo(200);
        }
        JsonNode rec = callRecords(gw).get(0);
        assertThat(rec.get("stream").asBoolean()).isTrue();
        assertThat(rec.get("status").asInt()).isEqualTo(200);
        assertThat(rec.get("output_tokens").asLong()).isPositive();
        assertThat(rec.get("input_tokens").asLong()).isPositive();
        assertThat(rec.get("stop_reason").asText()).isEqualTo("end_turn");
    }

    @Test
    void anUpstreamErrorIsRecordedWithItsTypeAndStatus() throws Exception {
        TestGateway gw = TestGateway.start(Map.of());
        try (gw) {
            HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages").header("x-fake-scenario", "rate_limit")
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("x", false))).build());
            assertThat(r.statusCode()).isEqualTo(429);
        }
        JsonNode rec = callRecords(gw).get(0);
        assertThat(rec.get("status").asInt()).isEqualTo(429);
        assertThat(rec.get("upstream_status").asInt()).isEqualTo(429);
        assertThat(rec.get("error_type").asText()).isEqualTo("rate_limit_error");
        assertThat(rec.get("output_tokens").asLong()).isZero();
    }

    @Test
    void aRefusedCallIsRecordedWithoutIdentityAndWithoutReachingUpstream() throws Exception {
        TestGateway gw = TestGateway.start(Map.of());
        try (gw) {
            HttpResponse<byte[]> r = gw.send(gw.request("/v1/messages").setHeader("x-api-key", "kw_not_a_real_key")
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("x", false))).build());
            assertThat(r.statusCode()).isEqualTo(401);
        }
        JsonNode rec = callRecords(gw).get(0);
        assertThat(rec.get("status").asInt()).isEqualTo(401);
        assertThat(rec.get("error_type").asText()).isEqualTo("authentication_error");
        assertThat(rec.get("upstream_status").asInt()).isZero();
        assertThat(rec.has("principal")).isFalse();
        assertThat(rec.has("provider_key")).isFalse();
        assertThat(rec.has("cost_usd")).as("nothing was used").isFalse();
        assertThat(allBodies(gw)).noneMatch(b -> b.contains("kw_not_a_real_key"));
    }

    @Test
    void everyConcurrentCallGetsExactlyOneRecordAndTheChainVerifies() throws Exception {
        int n = 300;
        TestGateway gw = TestGateway.start(Map.of());
        try (gw; var pool = Executors.newFixedThreadPool(32)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                boolean stream = i % 3 == 0;
                results.add(pool.submit(() -> gw.postMessages(TestGateway.messageBody("load", stream)).statusCode()));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        }
        assertThat(callRecords(gw)).hasSize(n);
        assertThat(callRecords(gw).stream().map(r -> r.get("request_id").asText()).distinct().count()).isEqualTo(n);
        try (Database db = Database.openSqlite(gw.dataDir)) {
            AuditVerifier.ChainReport report = new AuditVerifier(new AuditStore(db), ServerSecret.loadOrCreate(gw.dataDir))
                    .verify("main");
            assertThat(report.intact()).as(report.problem()).isTrue();
        }
    }

    @Test
    void aCleanShutdownUnderLoadLosesNoRecord() throws Exception {
        TestGateway gw = TestGateway.start(Map.of());
        var pool = Executors.newFixedThreadPool(16);
        List<Future<?>> load = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            load.add(pool.submit((Callable<Void>) () -> {
                for (int i = 0; i < 1000; i++) {
                    try {
                        gw.postMessages(TestGateway.messageBody("shutdown", i % 2 == 0));
                    } catch (Exception stopped) {
                        return null;
                    }
                }
                return null;
            }));
        }
        // close while calls are in flight: wait (bounded) until a good number finished, however loaded the machine is
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (gw.records().size() <= 48 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        gw.close();
        pool.shutdownNow();
        pool.awaitTermination(30, TimeUnit.SECONDS);
        int reported = gw.records().size();
        assertThat(reported).isGreaterThan(16);
        assertThat(callRecords(gw)).as("one audit record per exchange the gateway finished").hasSize(reported);
    }

    @Test
    void strictModeRefusesCallsWhileTheAuditStoreCannotBeWritten() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("KEYWARDEN_AUDIT_MODE", "strict"))) {
            assertThat(gw.postMessages(TestGateway.messageBody("ok", false)).statusCode()).isEqualTo(200);
            sqlite(gw, "ALTER TABLE audit_records RENAME TO audit_records_away");
            try {
                // this call's record cannot be stored: its response is failed rather than completed
                gw.postMessages(TestGateway.messageBody("lost", false));
            } catch (java.io.IOException expected) {
                // the gateway cut the response
            }
            HttpResponse<byte[]> refused = gw.postMessages(TestGateway.messageBody("refused", false));
            assertThat(refused.statusCode()).isEqualTo(503);
            JsonNode error = JSON.readTree(refused.body());
            assertThat(error.at("/error/type").asText()).isEqualTo("api_error");
            assertThat(error.at("/error/message").asText()).contains("audit trail").contains("strict");
            assertThat(gw.upstream.exchanges().stream().filter(e -> e.requestBodyText().contains("refused")).count())
                    .as("a refused call never reaches upstream").isZero();

            sqlite(gw, "ALTER TABLE audit_records_away RENAME TO audit_records");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int status = 0;
            while (System.nanoTime() < deadline && status != 200) {
                Thread.sleep(200);
                status = gw.postMessages(TestGateway.messageBody("again", false)).statusCode();
            }
            assertThat(status).as("serves again once the store recovers").isEqualTo(200);
        }
    }

    private static void sqlite(TestGateway gw, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gw.dataDir.resolve(Database.FILE_NAME));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute(sql);
        }
    }
}
