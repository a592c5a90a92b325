package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.admin.AdminTokens;
import dev.keywarden.format.AdminTokenFormat;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keywarden admin create-token | list-tokens | revoke-token} on the local store. */
class AdminCommandTest {

    @TempDir
    Path tmp;

    String dataDir() {
        return tmp.resolve("data").toString();
    }

    /** create-token prints on System.out / System.err (as scripts capture it); returns {exit, stdout, stderr}. */
    String[] createToken(String... extra) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            String[] args = new String[4 + extra.length];
            args[0] = "admin";
            args[1] = "create-token";
            args[2] = "--data-dir";
            args[3] = dataDir();
            System.arraycopy(extra, 0, args, 4, extra.length);
            exit = Main.commandLine().execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new String[] {String.valueOf(exit), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    AdminTokens.Check check(String token) {
        Path dir = tmp.resolve("data");
        try (Database db = Database.openSqlite(dir)) {
            return new AdminTokens(db, ServerSecret.resolve(System.getenv(ServerSecret.ENV_VAR), dir)).check(token);
        }
    }

    @Test
    void createTokenWithARoleAndAnExpiryPrintsTheTokenOnceAloneOnStdout() {
        String[] r = createToken("--name", "prometheus", "--role", "read", "--expires-in", "30d");

        assertThat(r[0]).as(r[2]).isEqualTo("0");
        String token = r[1].strip();
        assertThat(AdminTokenFormat.isWellFormed(token)).isTrue();
        assertThat(r[2]).contains("role read").contains("expires ").contains(AdminTokenFormat.displayPrefix(token))
                .contains("Authorization header as a Bearer token").doesNotContain(token);
        AdminTokens.Check check = check(token);
        assertThat(check).isInstanceOf(AdminTokens.Check.Valid.class);
        AdminTokens.Info info = ((AdminTokens.Check.Valid) check).token();
        assertThat(info.role()).isEqualTo(AdminTokens.Role.READ);
        assertThat(info.expiresAt()).isBetween(Instant.now().plusSeconds(30L * 86400 - 120), Instant.now().plusSeconds(30L * 86400));
    }

    @Test
    void createTokenDefaultsToTheAdminRoleAndRefusesUnknownRolesAndSpans() {
        String[] made = createToken("--name", "ops");
        assertThat(((AdminTokens.Check.Valid) check(made[1].strip())).token().role()).isEqualTo(AdminTokens.Role.ADMIN);

        String[] badRole = createToken("--name", "x", "--role", "root");
        assertThat(badRole[0]).isEqualTo("2");
        assertThat(badRole[2]).contains("role must be read").contains("or admin");
        assertThat(badRole[1]).isEmpty();
        String[] badSpan = createToken("--name", "x", "--expires-in", "forever");
        assertThat(badSpan[0]).isEqualTo("2");
        assertThat(badSpan[2]).contains("--expires-in");
    }

    @Test
    void listTokensShowsNameIdPrefixRoleTimesAndStateButNeverAToken() throws Exception {
        String ops = createToken("--name", "ops")[1].strip();
        String prom = createToken("--name", "prometheus", "--role", "read", "--expires-in", "90d")[1].strip();

        CliRunner.Run list = CliRunner.run(Map.of(), "admin", "list-tokens", "--data-dir", dataDir());

        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.outLines().getFirst()).matches("NAME +ID +PREFIX +ROLE +CREATED +EXPIRES +LAST USED +STATE");
        assertThat(list.out()).contains(AdminTokenFormat.displayPrefix(ops)).contains(AdminTokenFormat.displayPrefix(prom));
        assertThat(list.outLines()).anySatisfy(l -> assertThat(l).matches("ops +adm_\\w+ +kwadm_\\w{8} +admin +\\S+Z +never +never +active"));
        assertThat(list.outLines()).anySatisfy(l -> assertThat(l).matches("prometheus +adm_\\w+ +kwadm_\\w{8} +read +\\S+Z +\\S+Z +never +active"));
        assertThat(list.all()).doesNotContain(ops).doesNotContain(prom);

        CliRunner.Run json = CliRunner.run(Map.of(), "admin", "list-tokens", "--json", "--data-dir", dataDir());
        JsonNode array = new ObjectMapper().readTree(json.out());
        assertThat(array).hasSize(2);
        assertThat(array.get(0).path("role").asText()).isIn("admin", "read");
        assertThat(json.out()).doesNotContain(ops).doesNotContain(prom);
    }

    @Test
    void revokeTokenByPrefixRefusesItAtOnceAndListShowsItRevoked() {
        String token = createToken("--name", "ci")[1].strip();
        String prefix = AdminTokenFormat.displayPrefix(token);

        CliRunner.Run revoke = CliRunner.run(Map.of(), "admin", "revoke-token", prefix, "--data-dir", dataDir());

        assertThat(revoke.exitCode()).as(revoke.err()).isZero();
        assertThat(revoke.out()).contains("Revoked admin token " + prefix);
        assertThat(check(token)).isInstanceOf(AdminTokens.Check.Refused.class);
        assertThat(CliRunner.run(Map.of(), "admin", "list-tokens", "--data-dir", dataDir()).out()).contains("revoked 2");
    }

    @Test
    void revokeTokenGivenAWholeTokenNeverEchoesItAndAnUnknownIdExitsOne() {
        String token = createToken("--name", "ci")[1].strip();

        CliRunner.Run byToken = CliRunner.run(Map.of(), "admin", "revoke-token", token, "--data-dir", dataDir());
        assertThat(byToken.exitCode()).isZero();
        assertThat(byToken.all()).doesNotContain(token.substring(AdminTokenFormat.DISPLAY_PREFIX_LENGTH));

        CliRunner.Run unknown = CliRunner.run(Map.of(), "admin", "revoke-token", "adm_nosuchtoken", "--data-dir", dataDir());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no admin token has id or prefix adm_nosuchtoken");
    }
}
