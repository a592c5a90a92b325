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
import java.sql.ResultSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each kind of tampering is found, and the report names the first record that was changed. */
class AuditVerifierTest {

    @TempDir
    Path dir;
    Database db;
    AuditStore store;
    ServerSecret secret;

    @BeforeEach
    void writeTwentyRecords() {
        db = Database.openSqlite(dir);
        store = new AuditStore(db);
        secret = ServerSecret.loadOrCreate(dir);
        AuditTrail.Options options = new AuditTrail.Options(false, 100, 1, 7, java.time.Duration.ofSeconds(1));
        try (AuditTrail trail = AuditTrail.start(store, secret, "main", options, List.of())) {
            for (int i = 1; i <= 20; i++) {
                trail.append(AuditTrailTest.call(i));
            }
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    AuditVerifier.ChainReport verify() {
        return new AuditVerifier(store, secret).verify("main");
    }

    @Test
    void anUntouchedChainIsIntact() {
        AuditVerifier.ChainReport r = verify();
        assertThat(r.intact()).isTrue();
        assertThat(r.records()).isEqualTo(20);
        assertThat(r.checkpoints()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anEditedFieldIsReportedAtTheEditedRecord() throws Exception {
        sql("UPDATE audit_records SET body = replace(body, '\"status\":200', '\"status\":201') WHERE seq = 5");
        AuditVerifier.ChainReport r = verify();
        assertThat(r.intact()).isFalse();
        assertThat(r.firstBadSeq()).isEqualTo(5);
        assertThat(r.problem()).contains("record 5 was altered");
    }

    @Test
    void anEditOfTheLastRecordIsCaughtByTheFinalCheckpoint() throws Exception {
        sql("UPDATE audit_records SET body = replace(body, '\"status\":200', '\"status\":500') WHERE seq = 20");
        AuditVerifier.ChainReport r = verify();
        assertThat(r.intact()).isFalse();
        assertThat(r.firstBadSeq()).isEqualTo(20);
    }

    @Test
    void aDeletedRecordIsReported() throws Exception {
        sql("DELETE FROM audit_records WHERE seq = 9");
        AuditVerifier.ChainReport r = verify();
        assertThat(r.intact()).isFalse();
        assertThat(r.firstBadSeq()).isEqualTo(9);
        assertThat(r.problem()).contains("record 9 was removed");
    }

    @Test
    void truncatedTailIsReportedThroughTheCheckpoint() throws Exception {
        sql("DELETE FROM audit_records WHERE seq >= 18");
        AuditVerifier.ChainReport r = verify();
        assertThat(r.intact()).isFalse();
        assertThat(r.problem()).contains("was removed");
    }

    @Test
    void anInsertedRecordIsReported() throws Exception {
        // make room at 11 and insert a forged record that correctly links to record 10
        sql("UPDATE audit_records SET seq = seq + 1000 WHERE seq >= 11");
        sql("UPDATE audit_records SET seq = seq - 999 WHERE seq >= 1011");
        StoredAuditRecord ten = record(10);
        StoredAuditRecord forged = new StoredAuditRecord("main", 11, ten.at(), "call", AuditChain.hash(ten),
                "{\"request_id\":\"req_forged\",\"status\":200}");
        store.append(List.of(forged), null);
        AuditVerifier.ChainReport r = verify();
        assertThat(r.intact()).isFalse();
        assertThat(r.firstBadSeq()).isEqualTo(11);
        assertThat(r.problem()).contains("record 11 was inserted");
    }

    @Test
    void aSwappedPairIsReported() throws Exception {
        StoredAuditRecord a = record(6);
        StoredAuditRecord b = record(7);
        sql("DELETE FROM audit_records WHERE seq IN (6, 7)");
        store.append(List.of(new StoredAuditRecord("main", 6, b.at(), b.kind(), b.prevHash(), b.body()),
                new StoredAuditRecord("main", 7, a.at(), a.kind(), a.prevHash(), a.body())), null);
        AuditVerifier.ChainReport r = verify();
        assertThat(r.intact()).isFalse();
        assertThat(r.firstBadSeq()).isEqualTo(6);
        assertThat(r.problem()).contains("records 6 and 7 were swapped");
    }

    @Test
    void aChainRebuiltAfterAnEditFailsItsSignedCheckpoint() throws Exception {
        // the attacker edits record 3 and recomputes every later link: the chain itself looks fine
        sql("UPDATE audit_records SET body = replace(body, '\"status\":200', '\"status\":404') WHERE seq = 3");
        List<StoredAuditRecord> all = new java.util.ArrayList<>();
        store.forEach("main", all::add);
        sql("DELETE FROM audit_records");
        String prev = AuditChain.GENESIS;
        List<StoredAuditRecord> rebuilt = new java.util.ArrayList<>();
        for (StoredAuditRecord r : all) {
            StoredAuditRecord n = new StoredAuditRecord(r.chainId(), r.seq(), r.at(), r.kind(), prev, r.body());
            rebuilt.add(n);
            prev = AuditChain.hash(n);
        }
        store.append(rebuilt, null);
        AuditVerifier.ChainReport r = verify();
        assertThat(r.intact()).isFalse();
        assertThat(r.problem()).contains("signed checkpoint");
    }

    @Test
    void aForgedCheckpointIsReported() throws Exception {
        sql("UPDATE audit_checkpoints SET mac = '00' || substr(mac, 3) WHERE seq = (SELECT MIN(seq) FROM audit_checkpoints)");
        AuditVerifier.ChainReport r = verify();
        assertThat(r.intact()).isFalse();
        assertThat(r.problem()).contains("invalid MAC");
    }

    private StoredAuditRecord record(long seq) {
        StoredAuditRecord[] found = new StoredAuditRecord[1];
        store.forEach("main", r -> {
            if (r.seq() == seq) {
                found[0] = r;
            }
        });
        return found[0];
    }

    private void sql(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeUpdate();
        }
    }
}
