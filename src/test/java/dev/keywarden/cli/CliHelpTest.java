package dev.keywarden.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

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
        List<List<String>> paths = new ArrayList<>();
        collect(List.of(), Main.commandLine(), paths);
        assertThat(paths).hasSizeGreaterThan(3);
        for (List<String> path : paths) {
            CommandLine root = Main.commandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            root.setOut(new PrintWriter(out));
            root.setErr(new PrintWriter(err));
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            assertThat(root.execute(args.toArray(String[]::new))).as(path + " --help; stderr: " + err).isZero();
            assertThat(out.toString()).as(path + " --help output").contains("Usage: keywarden " + String.join(" ", path));
        }
    }

    private static void collect(List<String> prefix, CommandLine cl, List<List<String>> out) {
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) {
                return;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            out.add(path);
            collect(path, sub, out);
        });
    }
}
