package dev.keywarden.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class PrincipalsCliTest {

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

    @Test
    void createListSetTierSuspendResumeAndCreateAKeyForAPrincipal() {
        Run team = run("principals", "create", "--name", "research", "--kind", "team", "--tier", "enterprise");
        assertThat(team.exitCode()).as(team.err()).isZero();
        Run alice = run("principals", "create", "--name", "alice", "--team", "research", "--tier", "pro");
        assertThat(alice.exitCode()).as(alice.err()).isZero();
        assertThat(alice.out()).contains("alice", "user", "tier=pro", "active", "team=pr_");
        assertThat(run("principals", "set-tier", "alice", "enterprise").out()).contains("tier=enterprise");
        assertThat(run("principals", "suspend", "alice").out()).contains("suspended");
        assertThat(run("principals", "resume", "alice").out()).contains("active");
        Run key = run("keys", "create-virtual", "--name", "alice-laptop", "--principal", "alice");
        assertThat(key.exitCode()).as(key.err()).isZero();
        Run list = run("principals", "list");
        assertThat(list.out().lines()).hasSize(2);
    }

    @Test
    void listAsJsonHasTheAdminApiFields() throws Exception {
        assertThat(run("principals", "create", "--name", "bob", "--tier", "pro").exitCode()).isZero();
        Run list = run("principals", "list", "--json");
        assertThat(list.exitCode()).as(list.err()).isZero();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(list.out());
        assertThat(json.get(0).path("name").asText()).isEqualTo("bob");
        assertThat(json.get(0).path("tier").asText()).isEqualTo("pro");
        assertThat(json.get(0).path("id").asText()).startsWith("pr_");
    }

    @Test
    void anUnknownKindIsRefusedBeforeAnythingIsCreated() {
        Run r = run("principals", "create", "--name", "x", "--kind", "robot");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(run("principals", "list", "--json").out().strip()).isEqualTo("[ ]");
    }

    @Test
    void unknownPrincipalFailsWithAMessageNamingTheFix() {
        Run r = run("principals", "suspend", "nobody");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("no principal has id or name nobody", "principals list");
        Run k = run("keys", "create-virtual", "--name", "x", "--principal", "nobody");
        assertThat(k.exitCode()).isEqualTo(1);
    }
}
