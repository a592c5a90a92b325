package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.auth.token.IssuedToken;
import dev.keywarden.auth.token.TokenRequest;
import dev.keywarden.auth.token.TokenService;
import dev.keywarden.config.TokensConfig;
import dev.keywarden.store.Database;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokensCliTest {

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) { }

    private Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--data-dir", tmp.resolve("data").toString())).toArray(String[]::new);
        return new Run(cl.execute(all), out.toString(), err.toString());
    }

    /** Mints {@code n} tokens for a new virtual key named {@code name}, as the gateway would. */
    private List<IssuedToken> mint(String name, int n) {
        Path dir = tmp.resolve("data");
        try (Database db = Database.openSqlite(dir)) {
            ServerSecret secret = ServerSecret.loadOrCreate(dir);
            PrincipalService principals = new PrincipalService(db, "free", PrincipalService.anyWellFormedTier());
            try (VirtualKeyService keys = VirtualKeyService.open(db, secret, principals)) {
                ClientIdentity issuer = ((AuthOutcome.Authenticated) keys.authenticate(keys.create(name).key())).identity();
                TokenService tokens = new TokenService(db, secret, principals, TokensConfig.DEFAULTS, e -> { }, Clock.systemUTC());
                List<IssuedToken> out = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    out.add(tokens.mint(issuer, TokenRequest.parse(new byte[0], tokens.policy())));
                }
                return out;
            }
        }
    }

    @Test
    void listShowsIdPrincipalExpiryUsesAndStateButNeverTheToken() {
        IssuedToken t = mint("web", 1).getFirst();
        Run list = run("tokens", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains(t.id(), "principal=pr_", "expires=" + t.expiresAt(), "uses=0/100", "active")
                .doesNotContain(t.token()).doesNotContain("kw_tmp_");
    }

    @Test
    void listAsJsonHasTheAdminApiFieldsButNeverTheToken() throws Exception {
        IssuedToken t = mint("web", 1).getFirst();
        Run list = run("tokens", "list", "--json");
        assertThat(list.exitCode()).as(list.err()).isZero();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(list.out());
        assertThat(json.isArray()).isTrue();
        assertThat(json.get(0).path("id").asText()).isEqualTo(t.id());
        assertThat(json.get(0).path("max_uses").asInt()).isEqualTo(100);
        assertThat(json.get(0).path("state").asText()).isEqualTo("active");
        assertThat(list.out()).doesNotContain(t.token());
    }

    @Test
    void revokeByIdAndByPrincipal() {
        List<IssuedToken> web = mint("web", 2);
        IssuedToken other = mint("mobile", 1).getFirst();

        Run one = run("tokens", "revoke", web.get(0).id());
        assertThat(one.exitCode()).as(one.err()).isZero();
        assertThat(one.out()).contains("revoked " + web.get(0).id());
        assertThat(run("tokens", "revoke", web.get(0).id()).out()).contains("already revoked");

        Run all = run("tokens", "revoke", "--principal", "web");
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(all.out()).contains("revoked 1 token of principal web");

        String listing = run("tokens", "list").out();
        assertThat(listing.lines().filter(l -> l.endsWith("revoked"))).hasSize(2);
        assertThat(listing.lines().filter(l -> l.contains(other.id()))).singleElement().asString().endsWith("active");
    }

    @Test
    void revokeNeedsExactlyOneTargetAndNamesUnknownOnes() {
        assertThat(run("tokens", "revoke").exitCode()).isEqualTo(2);
        Run unknown = run("tokens", "revoke", "tok_nope");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no token has id tok_nope");
        Run nobody = run("tokens", "revoke", "--principal", "nobody");
        assertThat(nobody.exitCode()).isEqualTo(1);
        assertThat(nobody.err()).contains("no principal has id or name nobody");
    }
}
