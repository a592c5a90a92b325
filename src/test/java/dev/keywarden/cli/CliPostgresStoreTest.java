package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditTrail;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.cli.CliRunner.Run;
import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * With {@code store: postgres} the store-using CLI commands ({@code keys create-virtual}, {@code keys list},
 * {@code principals list}, {@code usage}, {@code audit verify}) work on the shared PostgreSQL database, in
 * an isolated schema, and never create a SQLite file in the data directory. Skipped when PostgreSQL is
 * not reachable, unless KEYWARDEN_REQUIRE_SERVICES=1.
 */
class CliPostgresStoreTest {

    @TempDir
    Path tmp;
    TestDatabases postgres;
    Map<String, String> env;
    String serverSecret;

    @BeforeEach
    void sharedStore() {
        postgres = TestDatabases.start(Dialect.POSTGRESQL);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        serverSecret = Base64.getEncoder().encodeToString(secret);
        env = new HashMap<>();
        env.put("KEYWARDEN_STORE", "postgres");
        env.put("KEYWARDEN_POSTGRES_URL", postgres.postgresUrl());
        env.put("KEYWARDEN_POSTGRES_USER", Services.postgresUser());
        env.put("KEYWARDEN_SERVER_SECRET", serverSecret);
        env.put("KEYWARDEN_DATA_DIR", tmp.resolve("data").toString());
        env.put("KEYWARDEN_ADMIN_LISTEN", "off");
    }

    @AfterEach
    void dropSchema() {
        if (postgres != null) {
            postgres.close();
        }
    }

    private Run run(String... args) {
        CommandLine cl = Main.commandLine();
        CliContext.install(cl, new CliContext(env, new ByteArrayInputStream(new byte[0]), false, tmp));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private long rows(String table) throws Exception {
        try (Database db = postgres.reopen(); Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void keysPrincipalsUsageAndAuditVerifyUseThePostgresStore() throws Exception {
        Run created = run("keys", "create-virtual", "--name", "alice");
        assertThat(created.exitCode()).as(created.all()).isZero();
        assertThat(created.outLines().getLast()).startsWith("kw_");
        assertThat(rows("virtual_keys")).isEqualTo(1);

        Run list = run("keys", "list");
        assertThat(list.exitCode()).as(list.all()).isZero();
        assertThat(list.out()).contains("alice");

        Run principals = run("principals", "list");
        assertThat(principals.exitCode()).as(principals.all()).isZero();
        assertThat(principals.out()).contains("alice");

        try (Database db = postgres.reopen();
             AuditTrail trail = AuditTrail.start(new AuditStore(db), ServerSecret.fromBase64(serverSecret), "main",
                     AuditTrail.Options.defaults(), List.of())) {
            trail.append(UsageCommandTest.call(Instant.now().minus(Duration.ofMinutes(5)), "alice", "claude-sonnet-4-5",
                    "fp_a", 120, 12, 0, 0));
        }
        Run usage = run("usage", "--json");
        assertThat(usage.exitCode()).as(usage.all()).isZero();
        JsonNode report = new ObjectMapper().readTree(usage.out());
        assertThat(report.path("rows")).hasSize(1);
        assertThat(report.path("rows").get(0).path("principal").asText()).isEqualTo("alice");
        assertThat(report.path("rows").get(0).path("input_tokens").asLong()).isEqualTo(120);

        Run verify = run("audit", "verify");
        assertThat(verify.exitCode()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("chain main: intact: 1 records");

        assertThat(Files.exists(tmp.resolve("data").resolve(Database.FILE_NAME))).as("no SQLite store is created").isFalse();
    }

    @Test
    void auditVerifyReportsTamperingInThePostgresStore() throws Exception {
        try (Database db = postgres.reopen();
             AuditTrail trail = AuditTrail.start(new AuditStore(db), ServerSecret.fromBase64(serverSecret), "main",
                     AuditTrail.Options.defaults(), List.of())) {
            for (int i = 0; i < 3; i++) {
                trail.append(UsageCommandTest.call(Instant.now(), "bob", "claude-haiku-4-5", "fp_b", 10 + i, 1, 0, 0));
            }
        }
        try (Database db = postgres.reopen(); Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE audit_records SET body = body || ' ' WHERE seq = 2")).isEqualTo(1);
        }
        Run verify = run("audit", "verify");
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(1);
        assertThat(verify.out()).contains("TAMPERED at record 2");
    }
}
