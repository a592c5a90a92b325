package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.keywarden.cli.CliRunner.Run;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestKeys;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code keywarden doctor} end to end, in-process: a good deployment (vault with a key added through the
 * CLI, loopback listeners, .env ignored in a real git repository, a webhook) exits 0 with only PASS and
 * WARN lines; a bad one exits 1 with FAIL lines and their fixes; a tampered audit chain, a key shared by
 * two environments and an overdue key read from the admin API each fail; JSON output parses.
 */
class DoctorCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path work;
    Path config;
    Map<String, String> env;
    String providerKey;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createDirectories(tmp.resolve("work"));
        config = work.resolve("keywarden.yaml");
        env = new HashMap<>();
        providerKey = TestKeys.canaryProviderKey();
        env.put("PROVIDER_KEY", providerKey);
        env.put("KEYWARDEN_ALERTS_WEBHOOK_SECRET", "test-only-webhook-secret-" + TestKeys.random(24));
    }

    private Run run(String... args) {
        CommandLine cl = Main.commandLine();
        CliContext.install(cl, new CliContext(env, new ByteArrayInputStream(new byte[0]), false, work));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        Run r = new Run(exit, out.toString(), err.toString());
        assertThat(r.all()).doesNotContain(providerKey).doesNotContain(providerKey.substring(20));
        return r;
    }

    private void git(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", work.toString(), "-c", "user.name=t", "-c",
                "user.email=t@example.invalid", "-c", "commit.gpgsign=false"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
    }

    private void goodDeployment() throws Exception {
        Files.writeString(config, String.join("\n",
                "environment: development",
                "listen: 127.0.0.1:8787",
                "admin:",
                "  listen: 127.0.0.1:8788",
                "data_dir: " + tmp.resolve("data"),
                "vault:",
                "  kek: local",
                "alerts:",
                "  webhook_url: https://alerts.example.com/hook",
                ""));
        git("init", "-q");
        Files.writeString(work.resolve(".gitignore"), ".env\n.env.*\n!.env.example\n");
        Run init = run("vault", "init", "--config", config.toString());
        assertThat(init.exitCode()).as(init.all()).isZero();
        Run added = run("keys", "add", "--config", config.toString(), "--from-env", "PROVIDER_KEY", "--no-verify");
        assertThat(added.exitCode()).as(added.all()).isZero();
    }

    private void badDeployment() throws Exception {
        Files.writeString(config, String.join("\n",
                "environment: production",
                "listen: 0.0.0.0:8787",
                "admin:",
                "  listen: 0.0.0.0:8788",
                "data_dir: " + tmp.resolve("data"),
                "limits:",
                "  enabled: off",
                ""));
        env.put("ANTHROPIC_API_KEY", providerKey);
        git("init", "-q");
        Files.writeString(work.resolve(".env"), "SOMETHING=1\n");
        git("add", ".env");
        git("commit", "-q", "-m", "tracked env file");
    }

    private static String line(Run r, String status, String id) {
        return r.outLines().stream().filter(l -> l.matches(status + " +" + id + " .*")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + status + " line for " + id + " in:\n" + r.out()));
    }

    private static String fixAfter(Run r, String statusLine) {
        List<String> lines = r.outLines();
        String next = lines.get(lines.indexOf(statusLine) + 1);
        assertThat(next).startsWith("      fix: ");
        return next;
    }

    @Test
    void aGoodDeploymentExitsZeroWithOnlyPassAndWarnLines() throws Exception {
        goodDeployment();
        Run r = run("doctor", "--config", config.toString());
        assertThat(r.exitCode()).as(r.all()).isZero();
        List<String> items = r.outLines().stream().filter(l -> l.matches("(PASS|WARN|FAIL)  .*")).toList();
        assertThat(items).hasSize(11).allMatch(l -> l.startsWith("PASS") || l.startsWith("WARN"));
        assertThat(line(r, "PASS", "provider-keys")).contains("vault.kek local");
        assertThat(line(r, "PASS", "rotation")).contains("1 active key(s) within policy");
        assertThat(line(r, "PASS", "dotenv")).contains("ignored");
        assertThat(line(r, "PASS", "cors")).contains("no CORS configured (same-origin only)");
        assertThat(line(r, "PASS", "tls")).contains("127.0.0.1:8787");
        assertThat(line(r, "PASS", "admin-listener")).contains("loopback-only");
        assertThat(line(r, "PASS", "audit")).contains("all intact");
        assertThat(line(r, "PASS", "alerts")).contains("alerts.example.com");
        assertThat(fixAfter(r, line(r, "WARN", "limits-budgets"))).contains("daily_budget_usd");
        assertThat(r.out()).contains("0 failed");
    }

    @Test
    void aBadDeploymentExitsOneWithFailLinesAndFixes() throws Exception {
        badDeployment();
        Run r = run("doctor", "--config", config.toString());
        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(fixAfter(r, line(r, "FAIL", "provider-keys"))).contains("vault.kek");
        assertThat(fixAfter(r, line(r, "FAIL", "dotenv"))).contains("git rm --cached .env");
        assertThat(fixAfter(r, line(r, "FAIL", "tls"))).contains("TLS-terminating reverse proxy");
        assertThat(fixAfter(r, line(r, "FAIL", "admin-listener"))).contains("127.0.0.1:8788");
        assertThat(fixAfter(r, line(r, "FAIL", "limits-budgets"))).contains("limits.enabled");
        assertThat(r.out()).contains("5 failed");
    }

    @Test
    void jsonOutputIsAnArrayOfItemsThatParses() throws Exception {
        badDeployment();
        Run r = run("doctor", "--config", config.toString(), "--json");
        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode items = JSON.readTree(r.out());
        assertThat(items.isArray()).isTrue();
        assertThat(items).hasSize(11);
        for (JsonNode item : items) {
            assertThat(item.fieldNames()).toIterable().containsExactlyInAnyOrder("id", "status", "title", "detail", "fix");
            assertThat(item.get("status").asText()).isIn("PASS", "WARN", "FAIL");
            if (!item.get("status").asText().equals("PASS")) {
                assertThat(item.get("fix").asText()).isNotBlank();
            }
        }
        JsonNode tls = items.findParents("id").stream().filter(i -> i.get("id").asText().equals("tls")).findFirst().orElseThrow();
        assertThat(tls.get("status").asText()).isEqualTo("FAIL");
        assertThat(tls.get("title").asText()).isEqualTo("TLS on non-localhost listeners");
    }

    @Test
    void aTamperedAuditChainFails() throws Exception {
        goodDeployment();
        try (Database db = Database.openSqlite(tmp.resolve("data")); Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE audit_records SET body = body || ' ' WHERE seq = 1"
                    + " AND chain_id = (SELECT MIN(chain_id) FROM audit_records)")).isEqualTo(1);
        }
        Run r = run("doctor", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(line(r, "FAIL", "audit")).contains("TAMPERED").contains("at record 1");
    }

    @Test
    void aChangedServerSecretFailsSayingWhatWouldBreakAndCommandsRefuseIt() throws Exception {
        goodDeployment();
        Run created = run("keys", "create-virtual", "--name", "app", "--config", config.toString());
        assertThat(created.exitCode()).as(created.all()).isZero();
        assertThat(line(run("doctor", "--config", config.toString()), "PASS", "server-secret")).contains("made with this secret");

        byte[] other = new byte[32];
        new java.security.SecureRandom().nextBytes(other);
        env.put("KEYWARDEN_SERVER_SECRET", java.util.Base64.getEncoder().encodeToString(other));
        Run r = run("doctor", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(line(r, "FAIL", "server-secret")).contains("differs").contains("kw_").contains("kwadm_")
                .contains("audit checkpoint MAC");
        Run list = run("keys", "list", "--config", config.toString());
        assertThat(list.exitCode()).isEqualTo(2);
        assertThat(list.err()).contains("server secret").contains("kwadm_").contains("restore the original secret");
    }

    @Test
    void theSameKeyInTwoEnvironmentsFails() throws Exception {
        goodDeployment();
        env.put("KEYWARDEN_KEY_ENVIRONMENT", "prod");
        Run added = run("keys", "add", "--config", config.toString(), "--from-env", "PROVIDER_KEY", "--no-verify");
        assertThat(added.exitCode()).as(added.all()).isZero();
        env.remove("KEYWARDEN_KEY_ENVIRONMENT");
        Run r = run("doctor", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(line(r, "FAIL", "keys-per-environment")).contains("dev and prod");
    }

    @Test
    void withAdminUrlTheProviderKeysComeFromTheRunningGateway() throws Exception {
        goodDeployment();
        String due = Instant.now().minus(20, ChronoUnit.DAYS).toString();
        String body = "{\"data\":[{\"id\":\"pk_remote\",\"environment\":\"prod\",\"fingerprint\":\"sk-ant-api03-...ABCD\","
                + "\"sha256\":\"" + "0f".repeat(32) + "\",\"state\":\"active\",\"rotation_days\":30,\"overdue\":true,"
                + "\"rotation_due_at\":\"" + due + "\"}]}";
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> authorizations = new ArrayList<>();
        server.createContext("/admin/v1/provider-keys", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("authorization"));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            String token = "kwadm_" + TestKeys.random(30).replace('-', 'x');
            env.put("KEYWARDEN_ADMIN_TOKEN", token);
            Run r = run("doctor", "--config", config.toString(), "--admin-url",
                    "http://127.0.0.1:" + server.getAddress().getPort());
            assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
            assertThat(line(r, "FAIL", "rotation")).contains("pk_remote").contains("overdue by 20 day(s)");
            assertThat(authorizations).containsExactly("Bearer " + token);
            assertThat(r.all()).doesNotContain(token);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theChecklistJudgesTheConfigurationServeWouldLoad() throws Exception {
        goodDeployment();
        Files.writeString(config, Files.readString(config) + String.join("\n",
                "cors:",
                "  allowed_origins: [https://app.example.com, '*']",
                "tiers:",
                "  enterprise:",
                "    monthly_budget_usd: 1000",
                ""));
        Run r = run("doctor", "--config", config.toString());
        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(fixAfter(r, line(r, "FAIL", "cors"))).contains("cors.allowed_origins");
        assertThat(line(r, "PASS", "limits-budgets")).contains("enterprise, free, pro");
    }

    @Test
    void aConfigurationThatWouldNotStartIsAConfigurationErrorNotAChecklist() throws Exception {
        Files.writeString(config, "no_such_setting: 1\n");
        Run r = run("doctor", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("configuration error").contains("no_such_setting");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertThat(run("doctor", "--no-such-option").exitCode()).isEqualTo(2);
    }
}
