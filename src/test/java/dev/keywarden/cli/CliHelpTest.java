package dev.keywarden.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CliHelpTest {

    @Test
    void topLevelHelpListsEverySubcommand() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        for (String name : cl.getSubcommands().keySet()) {
            assertThat(out.toString()).contains(name);
        }
        assertThat(cl.getSubcommands().keySet()).contains("serve", "keys", "fake-upstream");
    }

    @Test
    void everySubcommandHasHelp() {
        for (Map.Entry<String, CommandLine> e : Main.commandLine().getSubcommands().entrySet()) {
            check(e.getKey(), e.getValue());
        }
    }

    private static void check(String path, CommandLine cl) {
        if (path.endsWith("help")) {
            return;
        }
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).as(path + " --help").isZero();
        assertThat(out.toString()).as(path + " --help output").contains("Usage:");
        cl.getSubcommands().forEach((name, sub) -> check(path + " " + name, sub));
    }
}
