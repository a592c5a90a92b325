package dev.keywarden.limits.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.cli.Main;
import dev.keywarden.store.Database;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code keywarden principals set-budget} and {@code keywarden keys set-budget} on the local store. */
class BudgetCliTest {

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) { }

    Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--data-dir", tmp.resolve("data").toString())).toArray(String[]::new);
        return new Run(cl.execute(all), out.toString(), err.toString());
    }

    Allowance stored(String key) {
        try (Database db = Database.openSqlite(tmp.resolve("data"))) {
            return new BudgetStore(db).all().get(key);
        }
    }

    @Test
    void setAndClearAPrincipalsBudgetAndSetAKeysBudgetByPrefix() {
        assertThat(run("principals", "create", "--name", "research", "--kind", "team").exitCode()).isZero();
        Run set = run("principals", "set-budget", "research", "--daily", "2.5", "--monthly", "0");
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).contains("budget of team research: daily USD 2.5, monthly no limit");
        String id = run("principals", "list").out().strip().split("\\s+")[0];
        assertThat(stored("principal:" + id)).isEqualTo(new Allowance(Usd.parse("2.5"), 0L));
        assertThat(run("principals", "set-budget", "research", "--clear").exitCode()).isZero();
        assertThat(stored("principal:" + id)).isNull();

        Run key = run("keys", "create-virtual", "--name", "app");
        String secret = key.out().strip().lines().reduce((a, b) -> b).orElseThrow().strip();
        String prefix = secret.substring(0, 11);
        Run byPrefix = run("keys", "set-budget", prefix, "--daily", "0.5");
        assertThat(byPrefix.exitCode()).as(byPrefix.err()).isZero();
        assertThat(byPrefix.out()).contains("daily USD 0.5, monthly tier default");
    }

    @Test
    void refusesTheKeyItselfWithoutEchoingItAndAnUnknownPrincipalOrBadAmount() {
        Run key = run("keys", "create-virtual", "--name", "app");
        String secret = key.out().strip().lines().reduce((a, b) -> b).orElseThrow().strip();
        Run withSecret = run("keys", "set-budget", secret, "--daily", "1");
        assertThat(withSecret.exitCode()).isNotZero();
        assertThat(withSecret.out() + withSecret.err()).doesNotContain(secret).contains("not the key itself");
        Run nobody = run("principals", "set-budget", "nobody", "--daily", "1");
        assertThat(nobody.exitCode()).isEqualTo(1);
        assertThat(nobody.err()).contains("principals list");
        assertThat(run("principals", "create", "--name", "alice").exitCode()).isZero();
        Run bad = run("principals", "set-budget", "alice", "--daily", "lots");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("--daily", "amount of USD");
        assertThat(run("principals", "set-budget", "alice").err()).contains("--daily USD, --monthly USD or --clear");
    }
}
