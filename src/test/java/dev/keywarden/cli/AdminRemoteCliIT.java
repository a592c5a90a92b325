package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.admin.AdminTokens;
import dev.keywarden.format.AdminTokenFormat;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code admin list-tokens | revoke-token} and {@code keys rotate-virtual} on a running gateway (--admin-url). */
class AdminRemoteCliIT {

    static TestGateway gw;
    static Map<String, String> remote;
    static AdminTokens.Created spare;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start(Map.of());
        AdminTokens.Created ops;
        try (Database db = Database.openSqlite(gw.dataDir)) {
            AdminTokens tokens = new AdminTokens(db, ServerSecret.resolve(null, gw.dataDir));
            ops = tokens.create("ops", AdminTokens.Role.ADMIN, null, "test");
            spare = tokens.create("spare", AdminTokens.Role.READ, null, "test");
        }
        remote = Map.of("KEYWARDEN_ADMIN_URL", gw.gateway.adminUri().orElseThrow().toString(), "KEYWARDEN_ADMIN_TOKEN", ops.token());
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static int call(String key) throws Exception {
        return gw.send(gw.request("/v1/messages").setHeader("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("hi", false))).build()).statusCode();
    }

    @Test
    void listAndRevokeAdminTokensOnARunningGateway() {
        CliRunner.Run list = CliRunner.run(remote, "admin", "list-tokens");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains("ops").contains("spare").contains(spare.prefix()).contains(" read ");
        assertThat(list.all()).doesNotContain(spare.token()).doesNotContain(remote.get("KEYWARDEN_ADMIN_TOKEN"));

        CliRunner.Run revoke = CliRunner.run(remote, "admin", "revoke-token", spare.prefix());
        assertThat(revoke.exitCode()).as(revoke.err()).isZero();
        assertThat(CliRunner.run(remote, "admin", "list-tokens").outLines())
                .anySatisfy(l -> assertThat(l).startsWith("spare").contains("revoked"));
        CliRunner.Run unknown = CliRunner.run(remote, "admin", "revoke-token", AdminTokenFormat.PREFIX + "zzzzzzzz");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no admin token has id or prefix").contains("on the gateway at");
    }

    /** A new virtual key made through the admin API (the gateway's own key may be rotated by another test). */
    static String newVirtualKey(String name) throws Exception {
        var reply = gw.send(java.net.http.HttpRequest.newBuilder(gw.gateway.adminUri().orElseThrow().resolve("/admin/v1/virtual-keys"))
                .header("authorization", "Bearer " + remote.get("KEYWARDEN_ADMIN_TOKEN")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build());
        assertThat(reply.statusCode()).as(new String(reply.body(), java.nio.charset.StandardCharsets.UTF_8)).isBetween(200, 201);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply.body()).path("key").asText();
    }

    static String mintToken(String key) throws Exception {
        var reply = gw.send(gw.request("/v1/keywarden/tokens").setHeader("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"ttl_seconds\":300,\"max_uses\":5}")).build());
        assertThat(reply.statusCode()).as(new String(reply.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(201);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply.body()).path("id").asText();
    }

    @Test
    void listAndRevokeShortLivedTokensOnARunningGatewayAsJson() throws Exception {
        String key = newVirtualKey("token-minter");
        String first = mintToken(key);
        String second = mintToken(key);

        CliRunner.Run list = CliRunner.run(remote, "tokens", "list", "--json");
        assertThat(list.exitCode()).as(list.err()).isZero();
        var listed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(list.out());
        assertThat(listed.findValuesAsText("id")).contains(first, second);
        assertThat(list.all()).doesNotContain("kw_tmp_");

        CliRunner.Run one = CliRunner.run(remote, "tokens", "revoke", first);
        assertThat(one.exitCode()).as(one.err()).isZero();
        CliRunner.Run all = CliRunner.run(remote, "tokens", "revoke", "--principal", "token-minter");
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(all.out()).contains("revoked 1 token of principal token-minter");
        assertThat(CliRunner.run(remote, "tokens", "list").outLines()).filteredOn(l -> l.startsWith(first) || l.startsWith(second))
                .hasSize(2).allSatisfy(l -> assertThat(l).endsWith("revoked"));
        CliRunner.Run unknown = CliRunner.run(remote, "tokens", "revoke", "tok_nope");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no token has id tok_nope on the gateway at");
    }

    @Test
    void managePrincipalsOnARunningGateway() throws Exception {
        CliRunner.Run created = CliRunner.run(remote, "principals", "create", "--name", "remote-alice", "--tier", "pro");
        assertThat(created.exitCode()).as(created.all()).isZero();
        assertThat(created.out()).contains("remote-alice", "tier=pro", "active");
        assertThat(CliRunner.run(remote, "principals", "set-tier", "remote-alice", "enterprise").out()).contains("tier=enterprise");
        assertThat(CliRunner.run(remote, "principals", "suspend", "remote-alice").out()).contains("suspended");
        var listed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(CliRunner.run(remote, "principals", "list", "--json").out());
        assertThat(listed.findValuesAsText("name")).contains("remote-alice");
        assertThat(CliRunner.run(remote, "principals", "resume", "remote-alice").out()).contains("active");
        CliRunner.Run unknown = CliRunner.run(remote, "principals", "suspend", "nobody-here");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no principal has id or prefix nobody-here on the gateway at");
    }

    @Test
    void createAVirtualKeyOnARunningGateway() throws Exception {
        CliRunner.Run created = CliRunner.run(remote, "keys", "create-virtual", "--name", "remote-app", "--expires-in", "30d");

        assertThat(created.exitCode()).as(created.err()).isZero();
        String key = created.outLines().getLast();
        assertThat(VirtualKeyFormat.isWellFormed(key)).isTrue();
        assertThat(created.err()).contains("Created virtual key vk_").contains("expiring at").doesNotContain(key);
        assertThat(call(key)).isEqualTo(200);
    }

    @Test
    void rotateAVirtualKeyOnARunningGateway() throws Exception {
        String old = gw.virtualKey;
        assertThat(call(old)).isEqualTo(200);

        CliRunner.Run rotated = CliRunner.run(remote, "keys", "rotate-virtual", VirtualKeyFormat.displayPrefix(old), "--grace", "0");

        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        String fresh = rotated.outLines().getLast();
        assertThat(VirtualKeyFormat.isWellFormed(fresh)).isTrue();
        assertThat(call(fresh)).isEqualTo(200);
        assertThat(call(old)).isEqualTo(401);
        assertThat(CliRunner.run(remote, "keys", "rotate-virtual", "vk_nosuchkey").exitCode()).isEqualTo(1);
    }
}
