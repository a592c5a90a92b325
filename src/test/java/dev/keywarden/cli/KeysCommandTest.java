package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.store.Database;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import dev.keywarden.store.VirtualKeyRecord;
import dev.keywarden.store.VirtualKeyStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KeysCommandTest {

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private String dataDir() {
        return tmp.resolve("data").toString();
    }

    private String createKey(String name) {
        Run created = run("keys", "create-virtual", "--name", name, "--data-dir", dataDir());
        assertThat(created.exitCode()).as(created.err()).isZero();
        return created.outLines().getLast();
    }

    private AuthOutcome authenticate(String key) {
        Path dir = tmp.resolve("data");
        try (Database db = Database.openSqlite(dir);
             VirtualKeyService service = VirtualKeyService.open(db,
                     ServerSecret.resolve(System.getenv(ServerSecret.ENV_VAR), dir))) {
            return service.authenticate(key);
        }
    }

    @Test
    void createVirtualPrintsTheKeyAloneOnTheLastLineOfStdoutAndAOneTimeNoticeOnStderr() {
        Run created = run("keys", "create-virtual", "--name", "mobile-app", "--data-dir", dataDir());

        assertThat(created.exitCode()).isZero();
        String lastLine = created.outLines().getLast();
        assertThat(VirtualKeyFormat.isWellFormed(lastLine)).as("last line is exactly a key: %s", lastLine).isTrue();
        assertThat(created.err()).contains("only time the key is shown").contains(VirtualKeyFormat.displayPrefix(lastLine))
                .doesNotContain(lastLine);
        assertThat(authenticate(lastLine)).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void listShowsNameIdPrefixCreatedLastUsedAndStateButNeverTheKey() {
        String key = createKey("mobile-app");

        Run list = run("keys", "list", "--data-dir", dataDir());

        assertThat(list.exitCode()).isZero();
        assertThat(list.outLines().getFirst()).matches("NAME +ID +PREFIX +CREATED +LAST USED +STATE");
        assertThat(list.outLines()).hasSize(2);
        assertThat(list.outLines().get(1))
                .matches("mobile-app +vk_\\w+ +" + VirtualKeyFormat.displayPrefix(key) + " +\\d{4}-\\d\\d-\\d\\dT\\S+Z +never +active");
        assertThat(list.out() + list.err()).doesNotContain(key).doesNotContain(key.substring(VirtualKeyFormat.DISPLAY_PREFIX_LENGTH));
    }

    @Test
    void listJsonHoldsTheVirtualKeysWithoutTheKeyAndNoProviderKeysWhileTheVaultIsOff() throws Exception {
        String key = createKey("svc");
        authenticate(key); // records a last-use time on close

        Run list = run("keys", "list", "--json", "--data-dir", dataDir());

        assertThat(list.exitCode()).isZero();
        JsonNode root = new ObjectMapper().readTree(list.out());
        assertThat(root.get("provider_keys").isArray()).isTrue();
        assertThat(root.get("provider_keys")).isEmpty();
        JsonNode array = root.get("virtual_keys");
        assertThat(array.isArray()).isTrue();
        assertThat(array).hasSize(1);
        JsonNode entry = array.get(0);
        assertThat(entry.get("name").asText()).isEqualTo("svc");
        assertThat(entry.get("id").asText()).startsWith("vk_");
        assertThat(entry.get("prefix").asText()).isEqualTo(VirtualKeyFormat.displayPrefix(key));
        assertThat(entry.get("created_at").asText()).endsWith("Z");
        assertThat(entry.get("last_used_at").asText()).endsWith("Z");
        assertThat(entry.get("revoked_at").isNull()).isTrue();
        assertThat(entry.get("state").asText()).isEqualTo("active");
        assertThat(list.out()).doesNotContain(key.substring(VirtualKeyFormat.DISPLAY_PREFIX_LENGTH));
    }

    @Test
    void listOfAnEmptyStoreSaysHowToCreateAKey() {
        try (Database db = Database.openSqlite(tmp.resolve("data"))) { // the store a gateway's first start leaves
            ServerSecret.loadOrCreate(tmp.resolve("data"));
        }
        Run list = run("keys", "list", "--data-dir", dataDir());
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("No virtual keys").contains("keywarden keys create-virtual --name NAME");
        assertThat(run("keys", "list", "--json", "--data-dir", dataDir()).out().replaceAll("\\s", ""))
                .isEqualTo("{\"provider_keys\":[],\"virtual_keys\":[]}");
    }

    @Test
    void revokeByPrefixRefusesTheKeyAndListShowsItRevoked() {
        String key = createKey("laptop");
        String prefix = VirtualKeyFormat.displayPrefix(key);

        Run revoke = run("keys", "revoke", prefix, "--data-dir", dataDir());

        assertThat(revoke.exitCode()).as(revoke.err()).isZero();
        assertThat(revoke.out()).contains("Revoked virtual key " + prefix);
        assertThat(authenticate(key)).isEqualTo(new AuthOutcome.Rejected("this virtual key was revoked", AuthOutcome.Kind.UNUSABLE));
        assertThat(run("keys", "list", "--data-dir", dataDir()).outLines().get(1)).contains("revoked 2");
    }

    @Test
    void revokeById() throws Exception {
        String key = createKey("laptop");
        String id = new ObjectMapper().readTree(run("keys", "list", "--json", "--data-dir", dataDir()).out())
                .get("virtual_keys").get(0).get("id").asText();

        assertThat(run("keys", "revoke", id, "--data-dir", dataDir()).exitCode()).isZero();
        assertThat(authenticate(key)).isInstanceOf(AuthOutcome.Rejected.class);
    }

    @Test
    void revokeOfAnUnknownKeyExitsOneWithAClearMessage() {
        createKey("laptop");
        Run revoke = run("keys", "revoke", "vk_nosuchkey", "--data-dir", dataDir());
        assertThat(revoke.exitCode()).isEqualTo(1);
        assertThat(revoke.err()).contains("keywarden keys revoke: no virtual key has id or prefix vk_nosuchkey")
                .contains(tmp.resolve("data").toString());
    }

    @Test
    void revokeGivenAFullKeyNeverEchoesIt() {
        String unknownKey = VirtualKeyFormat.generate();
        Run revoke = run("keys", "revoke", unknownKey, "--data-dir", dataDir());
        assertThat(revoke.exitCode()).isEqualTo(1);
        assertThat(revoke.out() + revoke.err()).doesNotContain(unknownKey.substring(VirtualKeyFormat.DISPLAY_PREFIX_LENGTH))
                .contains(VirtualKeyFormat.displayPrefix(unknownKey));
    }

    @Test
    void createWithoutANameIsAUsageError() {
        Run created = run("keys", "create-virtual", "--data-dir", dataDir());
        assertThat(created.exitCode()).isEqualTo(2);
        assertThat(created.err()).contains("--name");
        assertThat(created.out()).isEmpty();
    }

    @Test
    void createWithAMultiLineNameFailsWithTheReason() {
        Run created = run("keys", "create-virtual", "--name", "a\nb", "--data-dir", dataDir());
        assertThat(created.exitCode()).isEqualTo(1);
        assertThat(created.err()).contains("control characters");
        assertThat(created.out()).isEmpty();
    }

    @Test
    void everySubcommandHasHelp() {
        for (String[] args : List.of(
                new String[] {"keys", "--help"},
                new String[] {"keys", "create-virtual", "--help"},
                new String[] {"keys", "list", "--help"},
                new String[] {"keys", "revoke", "--help"})) {
            Run help = run(args);
            assertThat(help.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(help.out()).contains("Usage: keywarden keys");
        }
        assertThat(run("keys", "--help").out()).contains("create-virtual").contains("list").contains("revoke");
        assertThat(run("keys", "list", "--help").out()).contains("--data-dir").contains("KEYWARDEN_DATA_DIR");
    }

    @Test
    void createVirtualWithAnExpiryShowsItInTheListAndInJson() throws Exception {
        Run created = run("keys", "create-virtual", "--name", "contractor", "--expires-in", "30d", "--data-dir", dataDir());
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.err()).contains("expiring at 2");

        Run list = run("keys", "list", "--data-dir", dataDir());
        assertThat(list.outLines().get(1)).matches(".* active, expires \\d{4}-\\d\\d-\\d\\dT\\S+Z");
        JsonNode entry = new ObjectMapper().readTree(run("keys", "list", "--json", "--data-dir", dataDir()).out())
                .get("virtual_keys").get(0);
        assertThat(Instant.parse(entry.get("expires_at").asText())).isAfter(Instant.now().plus(Duration.ofDays(29)));
        assertThat(entry.get("state").asText()).isEqualTo("active");
        assertThat(run("keys", "create-virtual", "--name", "x", "--expires-in", "never", "--data-dir", dataDir()).exitCode())
                .isEqualTo(2);
    }

    @Test
    void rotateVirtualPrintsTheNewKeyAloneOnTheLastLineAndTheOldOneWorksDuringTheGrace() {
        String old = createKey("billing");

        Run rotated = run("keys", "rotate-virtual", VirtualKeyFormat.displayPrefix(old), "--grace", "1h", "--data-dir", dataDir());

        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        String fresh = rotated.outLines().getLast();
        assertThat(VirtualKeyFormat.isWellFormed(fresh)).isTrue();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(rotated.err()).contains("keeps working until").contains(VirtualKeyFormat.displayPrefix(fresh))
                .doesNotContain(fresh).doesNotContain(old);
        assertThat(authenticate(fresh)).isInstanceOf(AuthOutcome.Authenticated.class);
        assertThat(authenticate(old)).isInstanceOf(AuthOutcome.Authenticated.class);
        assertThat(run("keys", "list", "--data-dir", dataDir()).outLines().get(1)).contains("old secret valid until");

        Run again = run("keys", "rotate-virtual", VirtualKeyFormat.displayPrefix(fresh), "--grace", "0", "--data-dir", dataDir());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).contains("refused from now on");
        assertThat(authenticate(fresh)).isInstanceOf(AuthOutcome.Rejected.class);
        assertThat(authenticate(old)).isInstanceOf(AuthOutcome.Rejected.class);
        assertThat(authenticate(again.outLines().getLast())).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void rotateVirtualOfAnUnknownKeyExitsOne() {
        createKey("x");
        Run r = run("keys", "rotate-virtual", "vk_nosuchkey", "--data-dir", dataDir());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("no virtual key has id or prefix vk_nosuchkey");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void listMarksKeysUnusedForThirtyDaysAndUnusedDaysListsOnlyThem() throws Exception {
        createKey("fresh");
        Path dir = tmp.resolve("data");
        long fortyDaysAgo = Instant.now().minus(Duration.ofDays(40)).toEpochMilli();
        try (Database db = Database.openSqlite(dir)) {
            new VirtualKeyStore(db).insert(new VirtualKeyRecord("vk_idleidleidle0", "forgotten", "kw_IDLEIDLE", "ab".repeat(32),
                    fortyDaysAgo, null, null));
        }

        Run list = run("keys", "list", "--data-dir", dataDir());
        assertThat(list.outLines()).anySatisfy(l -> assertThat(l).startsWith("forgotten").endsWith("active, unused 40d"));
        assertThat(list.outLines()).anySatisfy(l -> assertThat(l).startsWith("fresh").endsWith("active"));
        assertThat(list.out()).contains("1 virtual key(s) unused for 30 days or more");

        Run unused = run("keys", "list", "--unused-days", "30", "--data-dir", dataDir());
        assertThat(unused.outLines()).hasSize(2);
        assertThat(unused.outLines().get(1)).startsWith("forgotten");
        JsonNode json = new ObjectMapper().readTree(run("keys", "list", "--unused-days", "30", "--json", "--data-dir", dataDir()).out());
        assertThat(json.get("virtual_keys")).singleElement().satisfies(k -> assertThat(k.get("unused_days").asLong()).isEqualTo(40));
        assertThat(run("keys", "list", "--unused-days", "90", "--data-dir", dataDir()).out())
                .contains("No virtual key").contains("unused for 90 days or more");
    }

    @Test
    void dataDirComesFromTheOptionThenTheEnvironmentThenDotData() {
        Map<String, String> env = Map.of("KEYWARDEN_DATA_DIR", "/srv/keywarden");
        assertThat(dataDir(Path.of("/opt/kw"), env)).isEqualTo(Path.of("/opt/kw"));
        assertThat(dataDir(null, env)).isEqualTo(Path.of("/srv/keywarden"));
        assertThat(dataDir(null, Map.of())).isEqualTo(Path.of("data"));
        assertThat(dataDir(null, Map.of("KEYWARDEN_DATA_DIR", " "))).isEqualTo(Path.of("data"));
    }

    /** The data directory the shared store options resolve, as every store command does. */
    private static Path dataDir(Path option, Map<String, String> env) {
        StoreOptions store = new StoreOptions();
        store.dataDir = option;
        store.context(new CliContext(env, java.io.InputStream.nullInputStream(), false, Path.of("")));
        return store.loadConfig().dataDir();
    }
}
