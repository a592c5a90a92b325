package dev.keywarden.audit;

import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditTrailTest {

    @TempDir
    Path dir;
    Database db;
    AuditStore store;
    ServerSecret secret;

    @BeforeEach
    void open() {
        db = Database.openSqlite(dir);
        store = new AuditStore(db);
        secret = ServerSecret.loadOrCreate(dir);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static AuditEntry call(int i) {
        return new AuditEntry(AuditEntry.CALL, Instant.parse("2026-11-29T10:00:00Z").plusMillis(i),
                Map.of("request_id", "req_" + i, "status", 200, "input_tokens", i));
    }

    @Test
    void concurrentAppendsAllBecomeRecordsInOneIntactChain() throws Exception {
        int n = 2_000;
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(), List.of());
             var pool = Executors.newFixedThreadPool(8)) {
            CountDownLatch done = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                pool.submit(() -> {
                    trail.append(call(k));
                    done.countDown();
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(store.count()).isEqualTo(n);
        AuditVerifier.ChainReport report = new AuditVerifier(store, secret).verify("main");
        assertThat(report.intact()).as(report.problem()).isTrue();
        assertThat(report.records()).isEqualTo(n);
        assertThat(report.uncheckpointed()).as("clean shutdown writes a final checkpoint").isZero();
    }

    @Test
    void aSmallQueueAppliesBackPressureInsteadOfDropping() throws Exception {
        AuditTrail.Options tiny = new AuditTrail.Options(false, 4, 2, 1_000, Duration.ofSeconds(5));
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", tiny, List.of())) {
            for (int i = 0; i < 500; i++) {
                trail.append(call(i));
            }
        }
        assertThat(store.count()).isEqualTo(500);
    }

    @Test
    void aRestartedTrailContinuesTheSameChain() {
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(), List.of())) {
            trail.append(call(1));
        }
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(), List.of())) {
            trail.append(call(2));
        }
        assertThat(new AuditVerifier(store, secret).verify("main").intact()).isTrue();
        assertThat(store.last("main").orElseThrow().seq()).isEqualTo(2);
    }

    @Test
    void strictModeWaitsForDurabilityAndRefusesWhileTheStoreFails() throws Exception {
        AuditTrail.Options strict = AuditTrail.Options.defaults().strict(true);
        strict = new AuditTrail.Options(true, 100, 10, 1_000, Duration.ofMillis(500));
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", strict, List.of())) {
            trail.admit();
            trail.appendDurably(call(1));
            assertThat(store.count()).as("durable before appendDurably returns").isEqualTo(1);

            dropTable();
            assertThatThrownBy(() -> trail.appendDurably(call(2)))
                    .isInstanceOf(AuditUnavailableException.class).hasMessageContaining("not stored within");
            assertThatThrownBy(trail::admit).isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("audit.mode is strict");

            restoreTable();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!trail.healthy() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(trail.healthy()).as("recovers once the store accepts writes").isTrue();
            trail.admit();
        }
    }

    @Test
    void aFailingStoreLosesNoRecordThatWasQueued() throws Exception {
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(), List.of())) {
            trail.append(call(0));
            waitFor(() -> store.count() == 1);
            renameTable("audit_records", "audit_records_away");
            for (int i = 1; i <= 50; i++) {
                trail.append(call(i));
            }
            Thread.sleep(300);
            assertThat(trail.healthy()).isFalse();
            renameTable("audit_records_away", "audit_records");
        }
        assertThat(store.count()).isEqualTo(51);
        assertThat(new AuditVerifier(store, secret).verify("main").intact()).isTrue();
    }

    @Test
    void securityEventsAreAuditRecordsWithTheirDetails() {
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(), List.of())) {
            trail.record(SecurityEvent.alert("provider_key.compromised", "pk_1", Map.of("fingerprint", "sk-ant-api03-…abcd")));
        }
        List<StoredAuditRecord> rows = new ArrayList<>();
        store.forEach("main", rows::add);
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo("event");
            assertThat(r.body()).isEqualTo("{\"alert\":true,\"details\":{\"fingerprint\":\"sk-ant-api03-…abcd\"},"
                    + "\"subject\":\"pk_1\",\"type\":\"provider_key.compromised\"}");
        });
    }

    @Test
    void committedRecordsAreMirroredToSinks() {
        List<StoredAuditRecord> mirrored = new ArrayList<>();
        AuditSink sink = mirrored::addAll;
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(), List.of(sink))) {
            trail.append(call(1));
            trail.append(call(2));
        }
        assertThat(mirrored).extracting(StoredAuditRecord::seq).containsExactly(1L, 2L);
    }

    private void dropTable() throws Exception {
        renameTable("audit_records", "audit_records_away");
    }

    private void restoreTable() throws Exception {
        renameTable("audit_records_away", "audit_records");
    }

    private void renameTable(String from, String to) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("ALTER TABLE " + from + " RENAME TO " + to)) {
            ps.executeUpdate();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}
