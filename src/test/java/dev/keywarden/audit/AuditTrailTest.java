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

    @Test
    void anEntryThatCannotBeEncodedIsRefusedAtTheCallSiteAndTheQueueKeepsMoving() {
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(), List.of())) {
            AuditEntry unencodable = new AuditEntry(AuditEntry.CALL, Instant.now(), Map.of("request_id", "req_bad", "oops", new Object()));
            assertThatThrownBy(() -> trail.append(unencodable)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be encoded");
            assertThatThrownBy(() -> trail.appendDurably(unencodable)).isInstanceOf(IllegalArgumentException.class);
            trail.append(call(1));
        }
        List<StoredAuditRecord> rows = new ArrayList<>();
        store.forEach("main", rows::add);
        assertThat(rows).singleElement().satisfies(r -> assertThat(r.body()).contains("req_1"));
    }

    @Test
    void aRecordAppendedWhileCloseRunsIsWrittenOrRefusedNeverLost() throws Exception {
        for (int round = 0; round < 5; round++) {
            String chain = "close-" + round;
            java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            AuditTrail trail = AuditTrail.start(store, secret, chain, new AuditTrail.Options(false, 64, 16, 1_000,
                    Duration.ofSeconds(5)), List.of());
            CountDownLatch running = new CountDownLatch(8);
            try (var pool = Executors.newFixedThreadPool(8)) {
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    pool.submit(() -> {
                        running.countDown();
                        for (int i = 0; ; i++) {
                            String id = "req_" + thread + "_" + i;
                            try {
                                trail.append(new AuditEntry(AuditEntry.CALL, Instant.now(), Map.of("request_id", id)));
                                accepted.add(id);
                            } catch (AuditUnavailableException closed) {
                                refused.incrementAndGet();
                                return;
                            }
                        }
                    });
                }
                running.await();
                Thread.sleep(20);
                trail.close();
            }
            List<String> stored = new ArrayList<>();
            store.forEach(chain, r -> stored.add(r.body().replaceAll(".*\"request_id\":\"([^\"]+)\".*", "$1")));
            assertThat(refused.get()).as("every appender is told once the trail is closed").isEqualTo(8);
            assertThat(stored).as("round " + round + ": every append that returned is stored, nothing else")
                    .hasSize(accepted.size()).containsExactlyInAnyOrderElementsOf(accepted);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void closingWhileTheStoreIsDownReturnsAndAccountsForEveryRecordQueuedMeanwhile() throws Exception {
        AuditTrail trail = AuditTrail.start(store, secret, "main", new AuditTrail.Options(false, 4, 2, 1_000,
                Duration.ofSeconds(5)), List.of()).closeDeadline(Duration.ofMillis(300));
        trail.append(call(0));
        waitFor(() -> store.count() == 1);
        dropTable();
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            appenders.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 5; i++) {
                    try {
                        trail.append(call(i));
                        accepted.incrementAndGet();
                    } catch (AuditUnavailableException e) {
                        refused.incrementAndGet();
                    }
                }
            }));
        }
        waitFor(() -> trail.queueDepth() == 4); // the writer holds a batch it cannot store; callers wait on a full queue
        String log;
        try (dev.keywarden.testing.LogCapture logs = dev.keywarden.testing.LogCapture.start()) {
            trail.close();
            for (Thread a : appenders) {
                a.join(10_000);
                assertThat(a.isAlive()).as("no caller is left waiting on a closed trail").isFalse();
            }
            log = logs.text();
        }
        restoreTable();
        long unstoredButCounted = java.util.regex.Pattern.compile("(\\d+) record\\(s\\) (could not be stored before shutdown"
                + "|queued at shutdown were not stored)").matcher(log).results().mapToLong(m -> Long.parseLong(m.group(1))).sum();
        assertThat(accepted.get() + refused.get()).isEqualTo(15);
        assertThat(refused.get()).as("callers still waiting when the writer gave up are refused").isPositive();
        assertThat(store.count() - 1 + unstoredButCounted).as("each accepted record is stored or counted in an ERROR line: " + log)
                .isEqualTo(accepted.get());
    }

    @Test
    void newestRecordsAreCheckpointedAndAnchoredOnATimerBeforeNRecordsArrive() throws Exception {
        AuditTrail.Options quick = AuditTrail.Options.defaults().checkpointInterval(Duration.ofMillis(50));
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", quick, List.of(), dir)) {
            trail.append(call(1));
            trail.append(call(2));
            // the anchor file is replaced after the checkpoint is committed
            waitFor(() -> store.anchoredAt("main").isPresent());
            AuditCheckpoint cp = store.checkpoints("main").getLast();
            assertThat(cp.seq()).as("signed after 2 records, long before checkpointEvery (1,000)").isEqualTo(2);
            assertThat(AuditAnchor.in(dir, "main").read()).as("the anchor file holds the same checkpoint").contains(cp);
        }
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
