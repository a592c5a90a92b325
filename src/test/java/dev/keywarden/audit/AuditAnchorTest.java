package dev.keywarden.audit;

import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The anchor: the newest signed checkpoint kept outside the database. Someone who can write the database
 * (here: plain SQL with the trail stopped) removes or edits the newest records and the checkpoints that
 * pinned them; the next start refuses to sign over the chain, and verify names what is missing.
 */
class AuditAnchorTest {

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

    AuditTrail start() {
        return AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(), List.of(), dir);
    }

    /** Runs the trail once: {@code n} more records, then a clean stop (final checkpoint and anchor). */
    void run(int n) {
        try (AuditTrail trail = start()) {
            for (int i = 0; i < n; i++) {
                trail.append(AuditTrailTest.call(i));
            }
        }
    }

    void sql(String statement) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    AuditVerifier.ChainReport verify() {
        return new AuditVerifier(store, secret).withAnchors(dir).verify("main");
    }

    @Test
    void aCleanRestartContinuesTheAnchoredChain() {
        run(5);
        assertThat(AuditAnchor.in(dir, "main").read().orElseThrow().seq()).isEqualTo(5);
        run(3);
        assertThat(store.last("main").orElseThrow().seq()).isEqualTo(8);
        AuditVerifier.ChainReport report = verify();
        assertThat(report.intact()).as(report.problem()).isTrue();
        assertThat(report.anchor()).contains("anchored at record 8");
    }

    @Test
    void deletingTheNewestRecordsAndTheirCheckpointStopsTheNextStartAndVerifyNamesThem() throws Exception {
        run(10);
        sql("DELETE FROM audit_records WHERE chain_id = 'main' AND seq >= 8");
        sql("DELETE FROM audit_checkpoints WHERE chain_id = 'main' AND seq >= 8");
        assertThat(new AuditVerifier(store, secret).verify("main").intact())
                .as("without the anchor the shortened chain looks intact").isTrue();

        assertThatThrownBy(this::start).isInstanceOf(AuditAnchorException.class)
                .hasMessageContaining("records 8 to 10 were removed")
                .hasMessageContaining("the chain ends at record 7")
                .hasMessageContaining("keywarden audit verify");
        assertThat(store.last("main").orElseThrow().seq()).as("nothing was signed over the short chain").isEqualTo(7);
        AuditVerifier.ChainReport report = verify();
        assertThat(report.intact()).isFalse();
        assertThat(report.firstBadSeq()).isEqualTo(8);
        assertThat(report.problem()).contains("records 8 to 10 were removed");
    }

    @Test
    void editingTheNewestRecordAndDroppingItsCheckpointStopsTheNextStart() throws Exception {
        run(4);
        sql("UPDATE audit_records SET body = replace(body, '\"status\":200', '\"status\":500') WHERE chain_id = 'main' AND seq = 4");
        sql("DELETE FROM audit_checkpoints WHERE chain_id = 'main' AND seq = 4");
        assertThat(new AuditVerifier(store, secret).verify("main").intact())
                .as("the last record has no successor, so without its checkpoint the edit is invisible to the chain").isTrue();

        assertThatThrownBy(this::start).isInstanceOf(AuditAnchorException.class)
                .hasMessageContaining("record 4 (or one before it) was altered");
        assertThat(verify().problem()).contains("record 4 (or one before it) was altered");
    }

    /** Records 4 to 6 committed after the anchor (record 3), then the process dies before the next checkpoint. */
    void crashAfterThreeUnanchoredRecords() throws Exception {
        run(3);
        Database other = Database.openSqlite(dir);
        AuditTrail crashed = AuditTrail.start(new AuditStore(other), secret, "main",
                AuditTrail.Options.defaults().checkpointInterval(java.time.Duration.ofHours(1)), List.of(), dir);
        for (int i = 4; i <= 6; i++) {
            crashed.append(AuditTrailTest.call(i));
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (store.count() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(store.count()).isEqualTo(6);
        other.close(); // the process is gone: no final checkpoint, no anchor beyond record 3
        assertThat(AuditAnchor.in(dir, "main").read().orElseThrow().seq()).isEqualTo(3);
    }

    @Test
    void anEditAfterTheAnchorThatBreaksALinkStopsTheNextStart() throws Exception {
        crashAfterThreeUnanchoredRecords();
        sql("UPDATE audit_records SET body = body || ' ' WHERE chain_id = 'main' AND seq = 5");
        assertThatThrownBy(this::start).isInstanceOf(AuditAnchorException.class)
                .hasMessageContaining("record 6 after the anchor (record 3) no longer links");
    }

    @Test
    void removingRecordsAfterTheNewestAnchorIsNotDetectableAsDocumented() throws Exception {
        crashAfterThreeUnanchoredRecords();
        sql("DELETE FROM audit_records WHERE chain_id = 'main' AND seq >= 5");
        run(1);
        assertThat(verify().intact()).as("records 5 and 6 were never signed: their removal leaves no trace").isTrue();
        assertThat(store.last("main").orElseThrow().seq()).isEqualTo(5);
    }

    @Test
    void aLostAnchorFileIsReportedNotRecreatedUntilAnOperatorResetsIt() throws Exception {
        run(3);
        Path anchor = AuditAnchor.in(dir, "main").file();
        Files.delete(anchor);

        assertThatThrownBy(this::start).isInstanceOf(AuditAnchorException.class)
                .hasMessageContaining(anchor + " is missing")
                .hasMessageContaining("keywarden audit anchor --reset");
        assertThat(Files.exists(anchor)).as("not silently re-created").isFalse();
        AuditVerifier.ChainReport report = verify();
        assertThat(report.intact()).isFalse();
        assertThat(report.problem()).contains("is missing");

        assertThat(AuditTrail.resetAnchor(store, secret, "main", dir)).isEqualTo("missing");
        List<StoredAuditRecord> rows = new ArrayList<>();
        store.forEach("main", rows::add);
        assertThat(rows.getLast().body()).contains("\"type\":\"audit.anchor_reset\"").contains("\"previous_anchor\":\"missing\"")
                .contains("\"alert\":true");
        assertThat(verify().intact()).isTrue();
        run(1);
        assertThat(store.last("main").orElseThrow().seq()).isEqualTo(5);
    }

    @Test
    void anAnchorRewrittenWithoutTheServerSecretIsRefused() throws Exception {
        run(6);
        AuditAnchor file = AuditAnchor.in(dir, "main");
        AuditCheckpoint real = file.read().orElseThrow();
        String hash5 = AuditChain.hash(store.record("main", 5).orElseThrow());
        file.write(new AuditCheckpoint("main", 5, hash5, real.at(), real.mac()));
        sql("DELETE FROM audit_records WHERE chain_id = 'main' AND seq = 6");
        sql("DELETE FROM audit_checkpoints WHERE chain_id = 'main' AND seq = 6");

        assertThatThrownBy(this::start).isInstanceOf(AuditAnchorException.class).hasMessageContaining("invalid MAC");
    }

    @Test
    void aChainNeverAnchoredBeforeIsAnchoredFromNowOn() {
        try (AuditTrail unanchored = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(), List.of())) {
            unanchored.append(AuditTrailTest.call(1));
        }
        run(1);
        assertThat(AuditAnchor.in(dir, "main").read().orElseThrow().seq()).isEqualTo(2);
        assertThat(store.anchoredAt("main")).hasValueSatisfying(where -> assertThat(where).contains(dir.toString()));
    }

    @Test
    void theMirrorCarriesEveryCheckpointSoAReplayedOlderAnchorFileIsCaught() throws Exception {
        Path mirror = dir.resolve("audit.jsonl");
        Path older = dir.resolve("older-anchor.json");
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(),
                List.of(JsonLinesSink.open(mirror.toString())), dir)) {
            trail.append(AuditTrailTest.call(1));
        }
        Files.copy(AuditAnchor.in(dir, "main").file(), older);
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", AuditTrail.Options.defaults(),
                List.of(JsonLinesSink.open(mirror.toString())), dir)) {
            trail.append(AuditTrailTest.call(2));
            trail.append(AuditTrailTest.call(3));
        }
        assertThat(Files.readAllLines(mirror)).filteredOn(l -> l.contains("\"kind\":\"checkpoint\"")).hasSize(2)
                .last().satisfies(l -> assertThat(l).contains("\"seq\":3"));

        // someone with the database and the data directory (but not the mirror) rolls both back to record 1
        sql("DELETE FROM audit_records WHERE chain_id = 'main' AND seq > 1");
        sql("DELETE FROM audit_checkpoints WHERE chain_id = 'main' AND seq > 1");
        Files.move(older, AuditAnchor.in(dir, "main").file(), StandardCopyOption.REPLACE_EXISTING);
        assertThat(verify().intact()).as("the replayed anchor file agrees with the rolled-back chain").isTrue();

        AuditVerifier.ChainReport report = new AuditVerifier(store, secret).withAnchors(dir).withMirror(mirror).verify("main");
        assertThat(report.intact()).isFalse();
        assertThat(report.problem()).contains("records 2 to 3 were removed").contains("the mirror " + mirror);
    }

    @Test
    void anEntryCarriesNoCredentialInAnyField() {
        String key = dev.keywarden.testing.TestKeys.canaryProviderKey();
        String virtualKey = dev.keywarden.auth.VirtualKeyFormat.generate();
        AuditEntry entry = new AuditEntry(AuditEntry.CALL, Instant.now(), Map.of(
                "model", key,
                "path", "/v1/models/" + key.replace("-", "%2D"),
                "credential_prefix", virtualKey.substring(0, 11),
                "user_agent", "curl x-api-key: " + virtualKey,
                "details", Map.of("scopes", List.of("claude-*", key), "note", "Authorization: Bearer " + key)));
        String all = entry.fields().toString();
        assertThat(all).doesNotContain(key.substring(13, 40)).doesNotContain(virtualKey.substring(11, 30));
        assertThat(entry.fields().get("credential_prefix")).as("a display prefix is not a secret").isEqualTo(virtualKey.substring(0, 11));
        assertThat((String) entry.fields().get("model")).startsWith("sk-ant-[redacted]");
    }
}
