package dev.keywarden.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.admin.AdminRoutes;
import dev.keywarden.admin.AdminServer;
import dev.keywarden.admin.AdminTokens;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditTrail;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.HostPort;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.audit.AuditObserver;
import dev.keywarden.pipeline.PipelineComposition;
import dev.keywarden.gateway.GatewayServer;
import dev.keywarden.gateway.UpstreamForwarding;
import dev.keywarden.pricing.PricingTable;
import dev.keywarden.metrics.UsageReport.By;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.StaticProviderKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /metrics} on a real admin listener while real calls flow through a real gateway to the
 * fake upstream, wired the way the brief tells the lead to wire {@link Metrics} in serve.
 */
class MetricsEndpointIT {

    /** A sample line of the Prometheus text format: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\.)*\",?)*})? (-?[0-9.eE+\\-]+|NaN|\\+Inf|-Inf)");

    final HttpClient http = HttpClient.newHttpClient();
    Path dir;
    String providerKey;
    FakeUpstream upstream;
    Database db;
    AuditTrail trail;
    VirtualKeyService keys;
    GatewayServer gateway;
    AdminServer admin;
    Metrics metrics;
    String virtualKey;
    String adminToken;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("kw-metrics-");
        providerKey = TestKeys.canaryProviderKey();
        upstream = FakeUpstream.start(FakeUpstreamOptions.defaults(providerKey));
        Map<String, String> env = new HashMap<>();
        env.put("ANTHROPIC_API_KEY", providerKey);
        env.put("KEYWARDEN_UPSTREAM_URL", upstream.baseUri().toString());
        env.put("KEYWARDEN_LISTEN", "127.0.0.1:0");
        env.put("KEYWARDEN_DATA_DIR", dir.toString());
        KeywardenConfig config = ConfigLoader.from(env, dir).load();
        db = Database.openSqlite(dir);
        ServerSecret secret = ServerSecret.loadOrCreate(dir);
        trail = AuditTrail.start(new AuditStore(db), secret, "main", AuditTrail.Options.defaults(), List.of());
        keys = VirtualKeyService.open(db, secret);
        virtualKey = keys.create("metrics-client").key();

        metrics = new Metrics().auditQueue(trail::queueDepth).keysOverdue(() -> 0);
        AuditObserver audit = new AuditObserver(trail);
        UpstreamForwarding forwarding = UpstreamForwarding.start(config.server(), config.upstream(),
                new StaticProviderKeys(new ProviderKey("env", providerKey)));
        gateway = GatewayServer.builder().listen(config.listen()).server(config.server())
                .pipeline(PipelineComposition.compose(new PipelineComposition.Parts(config.server().maxBodyBytes())
                        .authenticator(keys).upstream(forwarding).pricing(PricingTable.defaults())
                        .audit(audit, audit).metrics(metrics.streamTracker(), metrics.exchangeObserver())))
                .alsoClose(forwarding).start();
        AdminRoutes routes = new AdminRoutes();
        dev.keywarden.admin.MetricsAdmin.register(routes, metrics);
        AdminTokens tokens = new AdminTokens(db, secret);
        adminToken = tokens.create("prometheus");
        admin = AdminServer.start(new HostPort("127.0.0.1", 0), tokens, routes, event -> { });
    }

    @AfterEach
    void stop() {
        admin.close();
        gateway.close();
        trail.close();
        keys.close();
        db.close();
        upstream.close();
    }

    HttpResponse<String> messages(String body, String credential) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/messages")).timeout(Duration.ofSeconds(20))
                .header("x-api-key", credential).header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> scrape(String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(admin.baseUri().resolve("/metrics")).GET();
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static double value(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElse(0);
    }

    @Test
    void metricsParseAsPrometheusTextAndCountersMoveAsRequestsFlow() throws Exception {
        String ok = "keywarden_requests_total{model=\"claude-sonnet-4-5\",route=\"messages\",status=\"200\"}";
        String before = scrape(adminToken).body();
        double okBefore = value(before, ok);

        for (int i = 0; i < 3; i++) {
            assertThat(messages(TestGateway.messageBody("hello " + i, false), virtualKey).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> streamed = messages(TestGateway.messageBody("stream please", true), virtualKey);
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("message_stop");
        assertThat(messages(TestGateway.messageBody("no key", false), "kw_" + "notavalidkey0000000000000000").statusCode()).isEqualTo(401);

        HttpResponse<String> r = scrape(adminToken);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain").contains("version=0.0.4");
        String text = r.body();
        for (String line : text.lines().toList()) {
            if (!line.startsWith("#") && !line.isBlank()) {
                assertThat(line).as("Prometheus sample line").matches(SAMPLE);
            }
        }
        assertThat(text).contains("# TYPE keywarden_requests_total counter", "# TYPE keywarden_request_duration_seconds histogram",
                "# TYPE keywarden_upstream_duration_seconds histogram", "# TYPE keywarden_streams_active gauge",
                "# TYPE keywarden_audit_queue_depth gauge", "# TYPE keywarden_provider_keys_overdue gauge");
        assertThat(value(text, ok) - okBefore).isEqualTo(4);
        assertThat(text).containsPattern("keywarden_requests_total\\{model=\"[^\"]+\",route=\"messages\",status=\"401\"} 1.0");
        assertThat(value(text, "keywarden_request_duration_seconds_count{route=\"messages\"}")).isEqualTo(5);
        assertThat(value(text, "keywarden_upstream_duration_seconds_count{route=\"messages\"}")).isEqualTo(4);
        assertThat(value(text, "keywarden_tokens_total{model=\"claude-sonnet-4-5\",type=\"input\"}")).isPositive();
        assertThat(value(text, "keywarden_tokens_total{model=\"claude-sonnet-4-5\",type=\"output\"}")).isPositive();
        assertThat(value(text, "keywarden_streams_active")).isZero();
        assertThat(text).contains("keywarden_request_duration_seconds_bucket{route=\"messages\",le=\"+Inf\"} 5");

        // the usage report from the same audit trail agrees with the token counters
        trail.close();
        UsageReport usage = UsageReport.read(new AuditStore(db), By.MODEL, Instant.now().minus(Duration.ofHours(1)));
        UsageReport.Row sonnet = usage.rows().stream().filter(row -> row.group().equals("claude-sonnet-4-5")).findFirst().orElseThrow();
        assertThat(sonnet.requests()).as("the refused call's body is never read, so it has no model").isEqualTo(4);
        assertThat(usage.total().requests()).isEqualTo(5);
        assertThat((double) sonnet.inputTokens()).isEqualTo(value(text, "keywarden_tokens_total{model=\"claude-sonnet-4-5\",type=\"input\"}"));
        assertThat((double) sonnet.outputTokens()).isEqualTo(value(text, "keywarden_tokens_total{model=\"claude-sonnet-4-5\",type=\"output\"}"));
    }

    @Test
    void metricsNeedTheAdminToken() throws Exception {
        HttpResponse<String> none = scrape(null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).doesNotContain("keywarden_requests_total");
        assertThat(scrape("kwadm_" + "wrongtoken000000000000000000").statusCode()).isEqualTo(401);
        JsonNode error = new ObjectMapper().readTree(none.body());
        assertThat(error.path("error").path("type").asText()).isEqualTo("authentication_error");
    }

    @Test
    void noKeyCredentialOrClientValueReachesTheMetrics() throws Exception {
        assertThat(messages(TestGateway.messageBody("hi", false), virtualKey).statusCode()).isEqualTo(200);
        String modelIsAKey = "{\"model\":\"" + providerKey + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        messages(modelIsAKey, virtualKey);
        String modelIsACredential = "{\"model\":\"" + virtualKey + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        messages(modelIsACredential, virtualKey);
        messages(TestGateway.messageBody("bad", false), virtualKey.substring(0, virtualKey.length() - 2) + "zz");

        String text = scrape(adminToken).body();
        assertThat(text).doesNotContain(providerKey).doesNotContain(providerKey.substring(14, 40))
                .doesNotContain(virtualKey).doesNotContain(virtualKey.substring(3, 15))
                .doesNotContain("sk-ant").doesNotContain("kw_").doesNotContain("metrics-client")
                .doesNotContain("127.0.0.1").doesNotContain("req_");
        assertThat(text).contains("model=\"other\"");
    }
}
