package dev.keywarden.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.keywarden.cli.Main;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code keywarden scan} against a real git repository built at test time: history, staged
 * changes, allow-lists, baselines, SARIF validated against the SARIF 2.1.0 schema, and the
 * pre-commit hook blocking a real {@code git commit}. Every secret is generated at run time and
 * every output is checked not to contain it.
 */
class ScanGitRepositoryTest {

    @TempDir
    Path tmp;
    Path repo;

    record Run(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Run kw(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    Run git(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] err;
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        err = p.getErrorStream().readAllBytes();
        int exit = p.waitFor();
        return new Run(exit, out, new String(err, StandardCharsets.UTF_8));
    }

    Run gitOk(String... args) throws Exception {
        Run r = git(args);
        assertThat(r.exitCode()).as("git %s: %s", List.of(args), r.err()).isZero();
        return r;
    }

    void write(String path, String content) throws IOException {
        Path file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    String commit(String message, String... paths) throws Exception {
        gitOk(concat(new String[] {"add", "--"}, paths));
        gitOk("commit", "-q", "-m", message);
        return gitOk("rev-parse", "HEAD").out().strip();
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @BeforeEach
    void initRepository() throws Exception {
        repo = tmp.resolve("repo");
        Files.createDirectories(repo);
        gitOk("init", "-q", "-b", "main");
        gitOk("config", "user.name", "Test User");
        gitOk("config", "user.email", "test@example.invalid");
        gitOk("config", "commit.gpgsign", "false");
        write("README.md", "# fixture\n");
        commit("initial", "README.md");
    }

    @Test
    void historyScanReportsTheCommitPathAndLineOfASecretRemovedSinceWhileTheWorkTreeIsClean() throws Exception {
        String key = SecretSamples.anthropicApiKey();
        write("config/app.yml", "name: demo\nport: 8080\nanthropic_key: " + key + "\n");
        String leaking = commit("add config", "config/app.yml");
        write("config/app.yml", "name: demo\nport: 8080\nanthropic_key: ${ANTHROPIC_API_KEY}\n");
        commit("move key to env", "config/app.yml");

        Run files = kw("scan", repo.toString());
        Run history = kw("scan", "--git-history", "--repo", repo.toString(), "--format", "json");

        assertThat(files.exitCode()).as(files.all()).isZero();
        assertThat(history.exitCode()).as(history.all()).isEqualTo(1);
        JsonNode found = new ObjectMapper().readTree(history.out());
        assertThat(found).hasSize(1);
        assertThat(found.get(0).get("commit").asText()).isEqualTo(leaking);
        assertThat(found.get(0).get("path").asText()).isEqualTo("config/app.yml");
        assertThat(found.get(0).get("line").asInt()).isEqualTo(3);
        assertThat(found.get(0).get("ruleId").asText()).isEqualTo("anthropic-api-key");
        assertThat(history.all()).doesNotContain(key).doesNotContain(key.substring(13, 40));
        assertThat(history.err()).contains("3 commits");
    }

    @Test
    void stagedScanReportsWhatTheIndexAddsButNotUnstagedEditsOrOldHistory() throws Exception {
        String old = SecretSamples.githubPat();
        write("old.txt", "token " + old + "\n");
        commit("old secret", "old.txt");
        String staged = SecretSamples.awsAccessKeyId();
        String unstaged = SecretSamples.googleApiKey();
        write("new.properties", "a=1\naws.id=" + staged + "\n");
        gitOk("add", "new.properties");
        write("new.properties", "a=1\naws.id=" + staged + "\ngoogle=" + unstaged + "\n");

        Run run = kw("scan", "--staged", "--repo", repo.toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.out()).contains("aws-access-key-id").contains("new.properties:2")
                .doesNotContain("google-api-key").doesNotContain("github-pat");
        assertThat(run.all()).doesNotContain(staged).doesNotContain(unstaged).doesNotContain(old);
    }

    @Test
    void inlineAllowMarkerAndAllowListedPathsKeepTheStagedScanClean() throws Exception {
        write("docs/example.md", "token: " + SecretSamples.githubPat() + " <!-- keywarden:allow documentation sample -->\n");
        write("fixtures/keys.txt", SecretSamples.stripeSecretKey() + "\n");
        gitOk("add", "docs/example.md", "fixtures/keys.txt");
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, "allowlist:\n  paths: ['^fixtures/']\n");

        Run withoutRules = kw("scan", "--staged", "--repo", repo.toString());
        Run withRules = kw("scan", "--staged", "--repo", repo.toString(), "--rules", rules.toString());

        assertThat(withoutRules.exitCode()).isEqualTo(1);
        assertThat(withoutRules.out()).contains("fixtures/keys.txt").doesNotContain("docs/example.md");
        assertThat(withRules.exitCode()).as(withRules.all()).isZero();
    }

    @Test
    void baselineAcceptsKnownFindingsByFingerprintButNotANewSecret() throws Exception {
        String accepted = SecretSamples.slackBotToken();
        write("legacy.cfg", "slack=" + accepted + "\n");
        commit("legacy", "legacy.cfg");
        Path baseline = tmp.resolve("baseline.json");

        Run create = kw("scan", repo.toString(), "--format", "json", "--output", baseline.toString());
        Run again = kw("scan", repo.toString(), "--baseline", baseline.toString());
        String fresh = SecretSamples.gitlabPat();
        write("new.cfg", "gitlab=" + fresh + "\n");
        Run withNew = kw("scan", repo.toString(), "--baseline", baseline.toString());

        assertThat(create.exitCode()).isEqualTo(1);
        assertThat(Files.readString(baseline)).contains("slack-token").doesNotContain(accepted);
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.err()).contains("1 more accepted by the baseline");
        assertThat(withNew.exitCode()).isEqualTo(1);
        assertThat(withNew.out()).contains("gitlab-pat").doesNotContain("slack-token").doesNotContain(fresh);
    }

    @Test
    void sarifReportOfTheHistoryIsValidSarif210AndHoldsNoWholeSecret() throws Exception {
        String jwt = SecretSamples.jwt();
        String pem = SecretSamples.privateKeyPem();
        write("src/auth test.js", "const t = '" + jwt + "';\n");
        write("keys/server.pem", pem + "\n");
        String sha = commit("keys", "src/auth test.js", "keys/server.pem");
        Path sarif = tmp.resolve("out/report.sarif");

        Run run = kw("scan", "--git-history", "--repo", repo.toString(), "--format", "sarif", "--output", sarif.toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        String text = Files.readString(sarif);
        JsonNode log = new ObjectMapper().readTree(text);
        Set<ValidationMessage> errors = sarifSchema().validate(log);
        assertThat(errors).as("SARIF schema violations").isEmpty();
        assertThat(sarifSchema().validate(new ObjectMapper().readTree("{\"version\":\"2.0.0\",\"runs\":[{}]}")))
                .as("the schema does reject a malformed log").isNotEmpty();
        JsonNode results = log.at("/runs/0/results");
        assertThat(results).hasSize(2);
        assertThat(results.findValuesAsText("ruleId")).containsExactlyInAnyOrder("jwt", "private-key");
        assertThat(text).contains("src/auth%20test.js").contains(sha).doesNotContain(jwt)
                .doesNotContain(jwt.substring(jwt.indexOf('.') + 1, jwt.indexOf('.') + 20));
        pem.lines().filter(l -> !l.startsWith("-----")).forEach(l -> assertThat(text).doesNotContain(l));
    }

    private static JsonSchema sarifSchema() throws IOException {
        try (InputStream in = ScanGitRepositoryTest.class.getResourceAsStream("/dev/keywarden/scan/sarif-schema-2.1.0.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
    }

    @Test
    void installedHookBlocksARealCommitThatAddsASecretAndLetsACleanCommitThrough() throws Exception {
        Run install = kw("scan", "install-hook", "--repo", repo.toString());
        assertThat(install.exitCode()).as(install.all()).isZero();
        assertThat(repo.resolve(".git/hooks/pre-commit")).isExecutable();
        String head = gitOk("rev-parse", "HEAD").out();

        String key = SecretSamples.anthropicAdminKey();
        write("deploy.sh", "export ANTHROPIC_ADMIN_KEY=" + key + "\n");
        gitOk("add", "deploy.sh");
        Run blocked = git("commit", "-m", "deploy script");

        assertThat(blocked.exitCode()).as(blocked.all()).isNotZero();
        assertThat(blocked.all()).contains("commit blocked").contains("anthropic-admin-key").doesNotContain(key);
        assertThat(gitOk("rev-parse", "HEAD").out()).isEqualTo(head);

        write("deploy.sh", "export ANTHROPIC_ADMIN_KEY=\"$(cat /run/secrets/admin_key)\"\n");
        gitOk("add", "deploy.sh");
        Run clean = git("commit", "-m", "deploy script");
        assertThat(clean.exitCode()).as(clean.all()).isZero();
        assertThat(gitOk("rev-parse", "HEAD").out()).isNotEqualTo(head);

        Run uninstall = kw("scan", "install-hook", "--uninstall", "--repo", repo.toString());
        assertThat(uninstall.exitCode()).isZero();
        assertThat(repo.resolve(".git/hooks/pre-commit")).doesNotExist();
    }

    Run gitWithPath(String path, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("PATH", path);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }

    /** An executable script that runs this keywarden (and leaves {@code marker} behind to show it ran). */
    static Path launcherScript(Path file, Path marker) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\ntouch " + HookInstaller.shellQuote(marker.toString()) + "\nexec "
                + HookInstaller.shellCommand(Launcher.current(Main.class)) + " \"$@\"\n");
        file.toFile().setExecutable(true);
        return file;
    }

    @Test
    void aHookWhoseLauncherMovedAwayUsesTheKeywardenOnPathOrFailsClosedSayingHowToFixIt() throws Exception {
        Path work = repo.getParent();
        Path launcher = launcherScript(work.resolve("checkout/keywarden"), work.resolve("ran-recorded"));
        assertThat(kw("scan", "install-hook", "--launcher", launcher.toString(), "--repo", repo.toString()).exitCode()).isZero();
        Files.delete(launcher); // the checkout moved
        launcherScript(work.resolve("bin/keywarden"), work.resolve("ran-from-path"));
        String systemPath = "/usr/local/bin:/usr/bin:/bin";

        String key = SecretSamples.anthropicAdminKey();
        write("deploy.sh", "export ANTHROPIC_ADMIN_KEY=" + key + "\n");
        gitOk("add", "deploy.sh");
        Run viaPath = gitWithPath(work.resolve("bin") + ":" + systemPath, "commit", "-m", "deploy script");
        assertThat(viaPath.exitCode()).as(viaPath.err()).isNotZero();
        assertThat(viaPath.err()).contains("commit blocked").contains("anthropic-admin-key").doesNotContain(key);
        assertThat(work.resolve("ran-from-path")).exists();

        Run nowhere = gitWithPath(systemPath, "commit", "-m", "deploy script");
        assertThat(nowhere.exitCode()).isNotZero();
        assertThat(nowhere.err()).contains("none is on PATH").contains("keywarden scan install-hook").contains("could not run");
    }

    @Test
    void theLauncherScriptThatStartedKeywardenIsWhatTheHookCalls() throws Exception {
        Path launcher = launcherScript(repo.getParent().resolve("checkout/keywarden"), repo.getParent().resolve("ran"));

        assertThat(Launcher.current(Main.class, launcher.toString())).containsExactly(launcher.toString());
        assertThat(Launcher.current(Main.class, repo.getParent().resolve("missing").toString()))
                .as("a launcher that is not there is not used").isEqualTo(Launcher.current(Main.class));
    }

    @Test
    void foreignHookIsNeverClobberedAndWithChainItRunsBeforeTheScan() throws Exception {
        Path hook = repo.resolve(".git/hooks/pre-commit");
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, "#!/bin/sh\necho ran > \"$(git rev-parse --show-toplevel)/../foreign-ran\"\nexit 0\n");
        hook.toFile().setExecutable(true);

        Run refused = kw("scan", "install-hook", "--repo", repo.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("not written by keywarden").contains("--chain");
        assertThat(Files.readString(hook)).contains("foreign-ran");

        Run chained = kw("scan", "install-hook", "--chain", "--repo", repo.toString());
        assertThat(chained.exitCode()).as(chained.all()).isZero();
        String token = SecretSamples.githubOauthToken();
        write("ci.yml", "token: " + token + "\n");
        gitOk("add", "ci.yml");
        Run blocked = git("commit", "-m", "ci");
        assertThat(blocked.exitCode()).isNotZero();
        assertThat(tmp.resolve("foreign-ran")).exists();

        kw("scan", "install-hook", "--uninstall", "--repo", repo.toString());
        assertThat(Files.readString(hook)).contains("foreign-ran");
    }

    @Test
    void gitignoreShieldWarnsAboutTrackedAndUnignoredEnvFilesAndFixAddsTheStandardLines() throws Exception {
        write(".env.production", "DB_URL=postgres://db\n");
        write(".env.example", "DB_URL=\n");
        commit("env files", ".env.production", ".env.example");

        Run install = kw("scan", "install-hook", "--repo", repo.toString());
        assertThat(install.err()).contains(".env.production is tracked").contains(".env is not ignored")
                .doesNotContain(".env.example is tracked");

        Run fix = kw("scan", "install-hook", "--fix-gitignore", "--repo", repo.toString());
        assertThat(fix.exitCode()).isZero();
        assertThat(Files.readAllLines(repo.resolve(".gitignore"))).contains(".env", ".env.*", "*.env", "!.env.example");
        assertThat(git("check-ignore", "-q", "--no-index", "prod.env").exitCode()).as("*.env files are ignored too").isZero();
        assertThat(fix.err()).doesNotContain("is not ignored").contains(".env.production is tracked");
    }

    JsonNode historyFindings(String... extra) throws Exception {
        Run history = kw(concat(new String[] {"scan", "--git-history", "--repo", repo.toString(), "--format", "json"}, extra));
        assertThat(history.exitCode()).as(history.all()).isIn(0, 1);
        return new ObjectMapper().readTree(history.out());
    }

    @Test
    void aSecretWrittenWhileResolvingAMergeConflictIsReportedAtTheMergeCommit() throws Exception {
        write("app.env", "MODE=dev\nKEY=placeholder\n");
        commit("base", "app.env");
        gitOk("checkout", "-q", "-b", "side");
        write("app.env", "MODE=dev\nKEY=from-side\n");
        commit("side", "app.env");
        gitOk("checkout", "-q", "main");
        write("app.env", "MODE=dev\nKEY=from-main\n");
        commit("main", "app.env");
        assertThat(git("merge", "-q", "side").exitCode()).as("the merge conflicts").isNotZero();
        String key = SecretSamples.anthropicApiKey();
        write("app.env", "MODE=dev\nKEY=" + key + "\n");
        gitOk("add", "app.env");
        gitOk("commit", "-q", "--no-edit");
        String merge = gitOk("rev-parse", "HEAD").out().strip();

        JsonNode found = historyFindings();

        assertThat(found).hasSize(1);
        assertThat(found.get(0).get("commit").asText()).isEqualTo(merge);
        assertThat(found.get(0).get("path").asText()).isEqualTo("app.env");
        assertThat(found.get(0).get("line").asInt()).isEqualTo(2);
        assertThat(found.get(0).get("ruleId").asText()).isEqualTo("anthropic-api-key");
    }

    @Test
    void linesAMergeTakesFromOneSideAreReportedOnlyAtTheCommitThatAddedThem() throws Exception {
        gitOk("checkout", "-q", "-b", "side");
        String token = SecretSamples.githubPat();
        write("side.txt", "token " + token + "\n");
        String added = commit("side adds a token", "side.txt");
        gitOk("checkout", "-q", "main");
        write("main.txt", "unrelated\n");
        commit("main", "main.txt");
        gitOk("merge", "-q", "--no-edit", "side");

        JsonNode found = historyFindings();

        assertThat(found).hasSize(1);
        assertThat(found.get(0).get("commit").asText()).isEqualTo(added);
    }

    @Test
    void secretsInStashEntriesAreFoundInTheNewestAndInOlderOnes() throws Exception {
        write("notes.txt", "nothing yet\n");
        commit("notes", "notes.txt");
        String older = SecretSamples.stripeSecretKey();
        write("notes.txt", "stripe " + older + "\n");
        gitOk("stash", "push", "-q", "-m", "older");
        String untracked = SecretSamples.slackBotToken();
        write("scratch.txt", "slack " + untracked + "\n");
        gitOk("stash", "push", "-q", "--include-untracked", "-m", "newer");
        assertThat(gitOk("stash", "list").out().lines()).hasSize(2);

        Run history = kw("scan", "--git-history", "--repo", repo.toString(), "--format", "json");

        assertThat(history.exitCode()).as(history.all()).isEqualTo(1);
        JsonNode found = new ObjectMapper().readTree(history.out());
        assertThat(found.findValuesAsText("ruleId")).containsExactlyInAnyOrder("stripe-secret-key", "slack-token");
        assertThat(found.findValuesAsText("path")).containsExactlyInAnyOrder("notes.txt", "scratch.txt");
        assertThat(history.all()).doesNotContain(older).doesNotContain(untracked);
    }

    static byte[] utf16le(String text, boolean bom) {
        byte[] body = text.getBytes(StandardCharsets.UTF_16LE);
        if (!bom) {
            return body;
        }
        byte[] out = new byte[body.length + 2];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xFE;
        System.arraycopy(body, 0, out, 2, body.length);
        return out;
    }

    @Test
    void utf16FilesOnDiskAreDecodedAndScanned() throws Exception {
        String le = SecretSamples.anthropicApiKey();
        String be = SecretSamples.awsAccessKeyId();
        String noBom = SecretSamples.githubPat();
        Files.write(repo.resolve("settings.ps1"), utf16le("# settings\r\n$env:ANTHROPIC_API_KEY = '" + le + "'\r\n", true));
        byte[] bigEndian = ("\uFEFFaws_access_key_id = " + be + "\n").getBytes(StandardCharsets.UTF_16BE);
        Files.write(repo.resolve("creds.reg"), bigEndian);
        Files.write(repo.resolve("plain.txt"), utf16le("first\nsecond\ntoken=" + noBom + "\n", false));
        Files.write(repo.resolve("image.bin"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 1, 2, 0, 0, 7});

        Run run = kw("scan", repo.toString(), "--format", "json");

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        JsonNode found = new ObjectMapper().readTree(run.out());
        assertThat(found.findValuesAsText("ruleId")).containsExactlyInAnyOrder("anthropic-api-key", "aws-access-key-id", "github-pat");
        for (JsonNode f : found) {
            if (f.get("ruleId").asText().equals("anthropic-api-key")) {
                assertThat(f.get("line").asInt()).isEqualTo(2);
            }
            if (f.get("ruleId").asText().equals("github-pat")) {
                assertThat(f.get("line").asInt()).isEqualTo(3);
            }
        }
        assertThat(run.err()).contains("1 binary");
        assertThat(run.all()).doesNotContain(le).doesNotContain(be).doesNotContain(noBom);
    }

    @Test
    void utf16FilesInHistoryAndInTheIndexAreScannedForTheLinesTheyAdd() throws Exception {
        String first = SecretSamples.gitlabPat();
        Files.write(repo.resolve("deploy.ps1"), utf16le("$a = 1\r\n$token = '" + first + "'\r\n", true));
        String added = commit("utf-16 script", "deploy.ps1");
        Files.write(repo.resolve("deploy.ps1"), utf16le("$a = 1\r\n$token = '" + first + "'\r\n$b = 2\r\n", true));
        commit("unrelated edit", "deploy.ps1");

        JsonNode history = historyFindings();

        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("commit").asText()).isEqualTo(added);
        assertThat(history.get(0).get("line").asInt()).isEqualTo(2);
        assertThat(history.get(0).get("path").asText()).isEqualTo("deploy.ps1");

        String staged = SecretSamples.kwAdminToken();
        Files.write(repo.resolve("deploy.ps1"), utf16le("$a = 1\r\n$token = '" + first + "'\r\n$b = 2\r\n$admin = '"
                + staged + "'\r\n", true));
        gitOk("add", "deploy.ps1");
        Run run = kw("scan", "--staged", "--repo", repo.toString());
        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.out()).contains("keywarden-admin-token").contains("deploy.ps1:4").doesNotContain("gitlab-pat");
        assertThat(run.all()).doesNotContain(staged).doesNotContain(first);
    }

    @Test
    void thePreCommitHookBlocksAKeywardenAdminToken() throws Exception {
        assertThat(kw("scan", "install-hook", "--repo", repo.toString()).exitCode()).isZero();
        String token = SecretSamples.kwAdminToken();
        write("ops/admin.env", "KEYWARDEN_ADMIN_TOKEN=" + token + "\n");
        gitOk("add", "ops/admin.env");

        Run blocked = git("commit", "-m", "admin token");

        assertThat(blocked.exitCode()).as(blocked.all()).isNotZero();
        assertThat(blocked.all()).contains("keywarden-admin-token").contains("kwadm_...").doesNotContain(token)
                .doesNotContain(token.substring(6, 30));
        kw("scan", "install-hook", "--uninstall", "--repo", repo.toString());
    }

    @Test
    void gitHistoryTakesThePathArgumentAsTheRepository() throws Exception {
        String key = SecretSamples.anthropicApiKey();
        write("k.txt", key + "\n");
        String sha = commit("key", "k.txt");
        Files.delete(repo.resolve("k.txt"));
        commit("remove", "k.txt");

        Run run = kw("scan", "--git-history", repo.toString(), "--format", "json");

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(new ObjectMapper().readTree(run.out()).get(0).get("commit").asText()).isEqualTo(sha);
        assertThat(kw("scan", "--git-history", repo.toString(), tmp.toString()).exitCode()).isEqualTo(2);
        Run notRepo = kw("scan", "--git-history", tmp.toString());
        assertThat(notRepo.exitCode()).isEqualTo(2);
        assertThat(notRepo.err()).contains("not a git repository");
    }

    @Test
    void exitCodesAreZeroWhenCleanOneOnAFindingAndTwoOnAUsageError() throws Exception {
        assertThat(kw("scan", repo.toString()).exitCode()).isZero();
        write("leak.txt", SecretSamples.kwTemporaryToken());
        assertThat(kw("scan", repo.toString()).exitCode()).isEqualTo(1);

        assertThat(kw("scan", "--format", "xml", repo.toString()).exitCode()).isEqualTo(2);
        assertThat(kw("scan", "--staged", repo.toString()).exitCode()).isEqualTo(2);
        assertThat(kw("scan", "--no-such-option").exitCode()).isEqualTo(2);
        Run missing = kw("scan", tmp.resolve("missing").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file or directory");
        Run notRepo = kw("scan", "--git-history", "--repo", tmp.toString());
        assertThat(notRepo.exitCode()).isEqualTo(2);
        assertThat(notRepo.err()).contains("not a git repository");
        assertThat(kw("scan", repo.toString(), "--baseline", tmp.resolve("nope.json").toString()).exitCode()).isEqualTo(2);
    }
}
