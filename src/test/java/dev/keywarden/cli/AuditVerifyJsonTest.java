package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditTrail;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code audit verify --json}: one object a script can read, with the same verdict and exit code as the text output. */
class AuditVerifyJsonTest {

    @TempDir
    Path dir;

    JsonNode verify(int expectedExit) throws Exception {
        CliRunner.Run run = CliRunner.run(Map.of(), "audit", "verify", "--json", "--data-dir", dir.toString());
        assertThat(run.exitCode()).as(run.all()).isEqualTo(expectedExit);
        return new ObjectMapper().readTree(run.out());
    }

    @Test
    void anIntactChainAndThenATamperedOneAreReportedAsJson() throws Exception {
        try (Database db = Database.openSqlite(dir);
             AuditTrail trail = AuditTrail.start(new AuditStore(db), ServerSecret.loadOrCreate(dir), "main",
                     AuditTrail.Options.defaults(), List.of())) {
            for (int i = 0; i < 5; i++) {
                trail.record(SecurityEvent.of("key.rotated", "fp_" + i, Map.of()));
            }
        }
        JsonNode intact = verify(0);
        assertThat(intact.path("intact").asBoolean()).isTrue();
        assertThat(intact.path("chains").get(0).path("chain").asText()).isEqualTo("main");
        assertThat(intact.path("chains").get(0).path("records").asLong()).isGreaterThanOrEqualTo(5);

        try (Database db = Database.openSqlite(dir); Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE audit_records SET body = body || ' ' WHERE seq = 2")).isEqualTo(1);
        }
        JsonNode tampered = verify(1);
        assertThat(tampered.path("intact").asBoolean()).isFalse();
        assertThat(tampered.path("chains").get(0).path("first_bad_seq").asLong()).isEqualTo(2);
        assertThat(tampered.path("chains").get(0).path("problem").asText()).isNotBlank();
    }
}
