package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.audit.AuditAnchor;
import dev.keywarden.audit.AuditAnchorException;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.cli.CliRunner.Run;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit anchor end to end: a gateway runs and stops; someone with the database deletes or edits the
 * newest records (and the checkpoints that pinned them) while it is stopped; the next start refuses with a
 * message naming what is missing, {@code keywarden audit verify} reports it, and the operator's way on is
 * {@code keywarden audit anchor --reset}, which the trail records.
 */
class AuditAnchorIT {

    static void calls(TestGateway gw, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            assertThat(gw.postMessages(TestGateway.messageBody("anchor " + i, false)).statusCode()).isEqualTo(200);
        }
    }

    static long lastSeq(Path dataDir) {
        try (Database db = Database.openSqlite(dataDir)) {
            return new AuditStore(db).last("main").orElseThrow().seq();
        }
    }

    static void sql(Path dataDir, String... statements) throws Exception {
        try (Database db = Database.openSqlite(dataDir); Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.executeUpdate(statement);
            }
        }
    }

    static Run cli(Path dataDir, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data-dir");
        all.add(dataDir.toString());
        return CliRunner.run(Map.of(), all.toArray(String[]::new));
    }

    @Test
    void removingTheNewestRecordsWhileStoppedStopsTheNextStartAndVerifyNamesThem() throws Exception {
        TestGateway first = TestGateway.start(Map.of());
        Path dir = first.dataDir;
        try (first) {
            calls(first, 3);
        }
        long head = lastSeq(dir);
        assertThat(AuditAnchor.in(dir, "main").read().orElseThrow().seq()).as("a clean stop anchors the last record").isEqualTo(head);
        Run clean = cli(dir, "audit", "verify");
        assertThat(clean.exitCode()).as(clean.all()).isZero();
        assertThat(clean.out()).contains("anchored at record " + head);

        try (TestGateway restarted = TestGateway.startIn(dir, Map.of())) {
            calls(restarted, 1);
        }
        long newest = lastSeq(dir);
        assertThat(newest).as("a clean restart continues the chain").isGreaterThan(head);

        sql(dir, "DELETE FROM audit_records WHERE chain_id = 'main' AND seq > " + (newest - 2),
                "DELETE FROM audit_checkpoints WHERE chain_id = 'main' AND seq > " + (newest - 2));
        assertThatThrownBy(() -> TestGateway.startIn(dir, Map.of())).isInstanceOf(AuditAnchorException.class)
                .hasMessageContaining("records " + (newest - 1) + " to " + newest + " were removed")
                .hasMessageContaining("keywarden audit verify");
        Run tampered = cli(dir, "audit", "verify");
        assertThat(tampered.exitCode()).as(tampered.all()).isEqualTo(1);
        assertThat(tampered.out()).contains("chain main: TAMPERED at record " + (newest - 1) + ": records " + (newest - 1) + " to "
                + newest + " were removed");

        Run reset = cli(dir, "audit", "anchor", "--reset");
        assertThat(reset.exitCode()).as(reset.all()).isZero();
        assertThat(reset.out()).contains("audit.anchor_reset");
        try (TestGateway afterReset = TestGateway.startIn(dir, Map.of())) {
            calls(afterReset, 1);
        }
        assertThat(cli(dir, "audit", "verify").exitCode()).isZero();
        List<String> bodies = new ArrayList<>();
        try (Database db = Database.openSqlite(dir)) {
            new AuditStore(db).forEach("main", r -> bodies.add(r.body()));
        }
        assertThat(bodies).anySatisfy(b -> assertThat(b).contains("\"type\":\"audit.anchor_reset\"")
                .contains("\"previous_anchor\":\"record " + newest));
    }

    @Test
    void editingTheNewestRecordWhileStoppedStopsTheNextStart() throws Exception {
        TestGateway first = TestGateway.start(Map.of());
        Path dir = first.dataDir;
        try (first) {
            calls(first, 2);
        }
        long head = lastSeq(dir);
        sql(dir, "UPDATE audit_records SET body = body || ' ' WHERE chain_id = 'main' AND seq = " + head,
                "DELETE FROM audit_checkpoints WHERE chain_id = 'main' AND seq = " + head);
        assertThatThrownBy(() -> TestGateway.startIn(dir, Map.of())).isInstanceOf(AuditAnchorException.class)
                .hasMessageContaining("record " + head + " (or one before it) was altered");
        Run verify = cli(dir, "audit", "verify");
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.out()).contains("TAMPERED at record " + head);
    }

    @Test
    void aLostAnchorFileIsReportedAndNotRecreated() throws Exception {
        TestGateway first = TestGateway.start(Map.of());
        Path dir = first.dataDir;
        try (first) {
            calls(first, 1);
        }
        Path anchor = AuditAnchor.in(dir, "main").file();
        Files.delete(anchor);
        assertThatThrownBy(() -> TestGateway.startIn(dir, Map.of())).isInstanceOf(AuditAnchorException.class)
                .hasMessageContaining(anchor + " is missing");
        assertThat(Files.exists(anchor)).isFalse();
        Run verify = cli(dir, "audit", "verify");
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.out()).contains("chain main: TAMPERED: its anchor " + anchor + " is missing");
        Run status = cli(dir, "audit", "anchor");
        assertThat(status.out()).contains("chain main: anchor " + anchor + ": none");
    }
}
