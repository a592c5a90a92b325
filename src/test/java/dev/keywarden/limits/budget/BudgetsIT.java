package dev.keywarden.limits.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.auth.Principal;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spend budgets in one gateway with in-process state ({@code state: local}) and the fake upstream. */
class BudgetsIT {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The free tier (test-client's) gets USD 0.0001 a day: one call of claude-sonnet-4-5 spends it. */
    static Map<String, String> tinyFreeBudget(String... more) {
        Map<String, String> env = new HashMap<>(Map.of("KEYWARDEN_TIERS_FREE_DAILY_BUDGET_USD", "0.0001"));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    static HttpResponse<byte[]> call(TestGateway gw, String key, String body) throws Exception {
        return gw.send(HttpRequest.newBuilder(gw.uri("/v1/messages")).header("x-api-key", key)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void spentBudgetRefusesThePrincipalWith402BillingErrorBeforeUpstreamWhileOthersAreServed() throws Exception {
        TestGateway gw = TestGateway.start(tinyFreeBudget());
        try (gw) {
            Principal other = gw.gateway.virtualKeys().principals().create("other", Principal.Kind.USER, "pro", null);
            String otherKey = gw.gateway.virtualKeys().create("other-key", other.id()).key();

            HttpResponse<byte[]> first = gw.postMessages(TestGateway.messageBody("spend it", false));
            assertThat(first.statusCode()).isEqualTo(200);
            gw.awaitRecord(r -> r.status() == 200);

            HttpResponse<byte[]> refused = gw.postMessages(TestGateway.messageBody("one more", false));
            assertThat(refused.statusCode()).isEqualTo(402);
            JsonNode body = JSON.readTree(refused.body());
            assertThat(body.at("/type").asText()).isEqualTo("error");
            assertThat(body.at("/error/type").asText()).isEqualTo("billing_error");
            assertThat(body.at("/error/message").asText()).contains("daily budget of principal test-client", "USD 0.0001 per day",
                    "resets at");
            long retry = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
            assertThat(retry).isBetween(1L, 86_400L);
            assertThat(gw.upstream.requestCount()).as("the refused call never reached upstream").isEqualTo(1);

            assertThat(call(gw, otherKey, TestGateway.messageBody("other principal", false)).statusCode()).isEqualTo(200);
            for (String seen : gw.responsesSeen()) {
                assertThat(seen).doesNotContain(gw.providerKey).doesNotContain(gw.virtualKey);
            }
        }
        List<String> bodies = new ArrayList<>();
        try (Database db = Database.openSqlite(gw.dataDir)) {
            new AuditStore(db).forEachSince("", r -> bodies.add(r.body()));
        }
        assertThat(bodies).as("the refusal's audit record").anySatisfy(b -> assertThat(b).contains("billing_error", "402"));
        assertThat(bodies).as("the refusal's security event").anySatisfy(b -> assertThat(b).contains("budget.exhausted", "test-client"));
    }

    @Test
    void spendSurvivesARestartOfTheGateway() throws Exception {
        Map<String, String> env;
        try (TestGateway first = TestGateway.start(tinyFreeBudget())) {
            assertThat(first.postMessages(TestGateway.messageBody("spend it", false)).statusCode()).isEqualTo(200);
            first.awaitRecord(r -> r.status() == 200);
            env = tinyFreeBudget("KEYWARDEN_DATA_DIR", first.dataDir.toString());
        }
        try (TestGateway second = TestGateway.start(env)) {
            HttpResponse<byte[]> r = second.postMessages(TestGateway.messageBody("after restart", false));
            assertThat(r.statusCode()).as("test-client's spend was kept").isEqualTo(402);
        }
    }

    @Test
    void budgetsSetByCliForAKeyAndByAdminApiForAPrincipalApplyWhileTheGatewayRuns() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of())) {
            String secondKey = gw.gateway.virtualKeys().create("test-client").key();
            String firstKeyId = gw.gateway.virtualKeys().list().stream().filter(k -> gw.virtualKey.startsWith(k.prefix()))
                    .findFirst().orElseThrow().id();
            assertThat(Main.commandLine().execute("keys", "set-budget", firstKeyId, "--daily", "0.0001",
                    "--data-dir", gw.dataDir.toString())).isZero();
            Thread.sleep(BudgetPolicy.EXPLICIT_TTL.toMillis() + 50);
            assertThat(gw.postMessages(TestGateway.messageBody("spend it", false)).statusCode()).isEqualTo(200);
            gw.awaitRecord(r -> r.status() == 200);
            HttpResponse<byte[]> refused = gw.postMessages(TestGateway.messageBody("again", false));
            assertThat(refused.statusCode()).isEqualTo(402);
            assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).contains("daily budget of key " + firstKeyId)
                    .doesNotContain("kw_");
            assertThat(call(gw, secondKey, TestGateway.messageBody("other key", false)).statusCode()).isEqualTo(200);

            Principal other = gw.gateway.virtualKeys().principals().create("other", Principal.Kind.USER, "enterprise", null);
            String otherKey = gw.gateway.virtualKeys().create("other-key", other.id()).key();
            HttpResponse<String> set = admin(gw, "POST", "/admin/v1/principals/other/budget", "{\"daily_usd\":\"0.0001\"}");
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(set.body()).at("/daily_usd").asText()).isEqualTo("0.0001");
            assertThat(JSON.readTree(admin(gw, "GET", "/admin/v1/principals/other/budget", null).body()).at("/monthly_usd").isNull())
                    .isTrue();
            Thread.sleep(BudgetPolicy.EXPLICIT_TTL.toMillis() + 50);
            assertThat(call(gw, otherKey, TestGateway.messageBody("spend", false)).statusCode()).isEqualTo(200);
            gw.awaitRecord(r -> r.status() == 200 && other.id().equals(r.identity().principalId()));
            HttpResponse<byte[]> otherRefused = call(gw, otherKey, TestGateway.messageBody("again", false));
            assertThat(otherRefused.statusCode()).isEqualTo(402);
            assertThat(JSON.readTree(otherRefused.body()).at("/error/message").asText()).contains("daily budget of principal other");
        }
    }

    static HttpResponse<String> admin(TestGateway gw, String method, String path, String body) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute("admin", "create-token", "--name", "ops-" + System.nanoTime(), "--data-dir",
                    gw.dataDir.toString())).isZero();
        } finally {
            System.setOut(old);
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        String token = lines[lines.length - 1].strip();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(gw.gateway.adminUri().orElseThrow().resolve(path))
                .header("authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
