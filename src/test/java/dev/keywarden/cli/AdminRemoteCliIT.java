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
