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

    /**
     * A parent's listing ({@code keywarden keys --help}) shows only the first line of each subcommand's
     * description: it must be a whole sentence, shown whole, never cut mid-sentence.
     */
    @Test
    void everyListingShowsEachSubcommandsFirstLineWholeAndItIsACompleteSentence() {
        List<String> problems = new ArrayList<>();
        walk(List.of(), Main.commandLine(), problems);
        assertThat(problems).isEmpty();
    }

    private static void walk(List<String> path, CommandLine cl, List<String> problems) {
        if (cl.getSubcommands().isEmpty()) {
            return;
        }
        StringWriter out = new StringWriter();
        cl.usage(new PrintWriter(out));
        String listing = out.toString().replaceAll("\\s+", " ");
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) {
                return;
            }
            List<String> subPath = new ArrayList<>(path);
            subPath.add(name);
            String[] description = sub.getCommandSpec().usageMessage().description();
            String first = description.length == 0 ? "" : description[0].strip();
            String where = "keywarden " + String.join(" ", subPath);
            if (!first.endsWith(".")) {
                problems.add(where + ": first description line does not end a sentence: " + first);
            }
            if (!listing.contains(name + " " + first.replaceAll("\\s+", " "))) {
                problems.add(where + ": the listing of its parent does not show its first line whole: " + first);
            }
            walk(subPath, sub, problems);
        });
    }
}
