package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.cli.Main;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers shared by the web-entry tests: admin tokens, admin calls, JSON, audit rows. */
final class WebTesting {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private WebTesting() {
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    /** Creates an admin token through the CLI, on the gateway's data directory. */
    static synchronized String adminToken(Path dataDir) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute("admin", "create-token", "--name", "ops", "--data-dir", dataDir.toString())).isZero();
        } finally {
            System.setOut(old);
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    static HttpResponse<String> admin(TestGateway gw, String token, String method, String path, String body) throws Exception {
        URI admin = gw.gateway.adminUri().orElseThrow();
        return HTTP.send(HttpRequest.newBuilder(admin.resolve(path)).header("authorization", "Bearer " + token)
                .header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every audit row body of the gateway's SQLite store, as one text. */
    static String auditRows(Path dataDir) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Database db = Database.openSqlite(dataDir); Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT body FROM audit_records ORDER BY seq")) {
            while (rs.next()) {
                all.append(rs.getString(1)).append('\n');
            }
        }
        return all.toString();
    }

    /** Waits (at most 10 s) until the audit trail holds {@code text}, then returns all rows. */
    static String awaitAudit(Path dataDir, String text) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String rows = auditRows(dataDir);
        while (!rows.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            rows = auditRows(dataDir);
        }
        return rows;
    }
}
