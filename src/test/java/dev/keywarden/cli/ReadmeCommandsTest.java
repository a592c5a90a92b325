package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every {@code keywarden} command README.md shows (in code blocks and in inline code) is one the CLI
 * accepts: each parses against the real command tree (no unknown command or option), and those that
 * only read a store or print are run against a demo store and must succeed. A renamed option or a
 * removed command fails here instead of in a reader's terminal.
 */
class ReadmeCommandsTest {

    /** Commands run for real against a fresh demo store (read-only or printing), with the exit codes they may end with. */
    private static final Map<String, Set<Integer>> RUNNABLE = Map.ofEntries(
            Map.entry("keys list", Set.of(0)), Map.entry("usage", Set.of(0)), Map.entry("audit verify", Set.of(0)),
            Map.entry("principals list", Set.of(0)), Map.entry("tokens list", Set.of(0)),
            Map.entry("admin list-tokens", Set.of(0)), Map.entry("config reference", Set.of(0)),
            Map.entry("config check", Set.of(0)), Map.entry("doctor", Set.of(0, 1)), Map.entry("vault status", Set.of(0)));

    private static final Pattern INLINE = Pattern.compile("`((?:\\./)?keywarden [^`]+)`");

    @TempDir
    Path tmp;

    static Path basedir() {
        return Path.of(System.getProperty("keywarden.basedir", "."));
    }

    static Path readme() {
        return basedir().resolve("README.md");
    }

    /** README.md and every Markdown file under docs/ (runbooks included). */
    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(readme()));
        try (var walk = Files.walk(basedir().resolve("docs"))) {
            walk.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** The command lines README.md shows, as written (comments and prompts removed, alternatives expanded). */
    static List<String> commandLines() throws IOException {
        return commandLines(readme());
    }

    /** The command lines {@code doc} shows. */
    static List<String> commandLines(Path doc) throws IOException {
        List<String> found = new ArrayList<>();
        boolean inBlock = false;
        boolean inShellBlock = false;
        for (String line : Files.readAllLines(doc)) {
            String fence = line.strip();
            if (fence.startsWith("```")) {
                inBlock = !inBlock;
                inShellBlock = inBlock && (fence.equals("```") || fence.equals("```sh") || fence.equals("```bash"));
                continue;
            }
            if (inShellBlock) {
                String code = line.replaceAll("\\s+#.*$", "").strip();
                code = code.startsWith("$ ") ? code.substring(2) : code;
                for (String segment : code.split("\\s*\\|\\s*(?=(?:\\./)?keywarden )")) {
                    if (segment.startsWith("./keywarden ") || segment.startsWith("keywarden ")) {
                        found.addAll(alternatives(segment));
                    }
                }
            } else {
                Matcher m = INLINE.matcher(line);
                while (m.find()) {
                    found.addAll(alternatives(m.group(1)));
                }
            }
        }
        return found;
    }

    /** {@code keywarden tokens list | revoke ID} is two commands: the group words are shared. */
    static List<String> alternatives(String text) {
        String[] parts = text.strip().split("\\s+\\|\\s+");
        List<String> out = new ArrayList<>();
        out.add(parts[0]);
        String[] words = parts[0].split("\\s+");
        for (int i = 1; i < parts.length && words.length >= 2; i++) {
            out.add(words[0] + " " + words[1] + " " + parts[i]);
        }
        return out;
    }

    /**
     * The arguments of a shown command, split as a shell would (quotes kept together): optional parts are kept without
     * their brackets, so the options they show are checked too.
     */
    static List<String> arguments(String commandLine) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : commandLine.strip().toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c) || c == '[' || c == ']') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words.subList(1, words.size()); // words[0] is the launcher
    }

    /** For parsing only: a placeholder such as N, FILE or pk_… filled in with a value of the right shape. */
    static List<String> filled(List<String> args) {
        return args.stream().map(a -> a.equals("N") ? "1" : a).toList();
    }

    /** Words the {@code ./keywarden} launcher script handles itself, before the CLI (e.g. building the start-up cache). */
    private static final Set<String> LAUNCHER_ONLY = Set.of("aot-cache");

    /**
     * Output lines in a code block ("keywarden doctor: 8 passed, …") and prose elisions ("keywarden keys …", a whole
     * command family) are not commands.
     */
    static boolean isCommand(String line) {
        String[] words = line.strip().split("\\s+");
        return words.length < 2 || !words[1].endsWith(":") && !words[words.length - 1].matches("…|\\.\\.\\.")
                && !LAUNCHER_ONLY.contains(words[1]);
    }

    static boolean hasPlaceholder(List<String> args) {
        return args.stream().anyMatch(a -> a.contains("…") || a.contains("...") || a.matches("[A-Z][A-Z_|]*(\\.\\.\\.)?"));
    }

    @Test
    void everyCommandTheReadmeShowsParsesAgainstTheRealCli() throws IOException {
        List<String> lines = commandLines();
        assertThat(lines).as("README.md shows commands").hasSizeGreaterThan(30);
        List<String> refused = new ArrayList<>();
        for (String line : new LinkedHashSet<>(lines)) {
            if (!isCommand(line)) {
                continue;
            }
            List<String> args = arguments(line);
            try {
                Main.commandLine().parseArgs(filled(args).toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                refused.add(line + "  →  " + e.getMessage());
            }
        }
        assertThat(refused).as("README commands the CLI refuses").isEmpty();
    }

    @Test
    void everyCommandTheDocsAndRunbooksShowParsesAgainstTheRealCli() throws IOException {
        List<String> refused = new ArrayList<>();
        int seen = 0;
        for (Path doc : documents()) {
            for (String line : new LinkedHashSet<>(commandLines(doc))) {
                if (!isCommand(line)) {
                    continue;
                }
                seen++;
                try {
                    Main.commandLine().parseArgs(filled(arguments(line)).toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    refused.add(basedir().relativize(doc) + ": " + line + "  →  " + e.getMessage());
                }
            }
        }
        assertThat(seen).as("commands shown in the docs").isGreaterThan(100);
        assertThat(refused).as("documented commands the CLI refuses").isEmpty();
    }

    @Test
    void theReadOnlyCommandsTheReadmeShowsRunAgainstADemoStore() throws IOException {
        Map<String, String> env = Map.of("KEYWARDEN_DATA_DIR", tmp.resolve("data").toString(), "KEYWARDEN_VAULT_KEK", "local",
                "KEYWARDEN_ADMIN_LISTEN", "off");
        CliRunner.Run vault = CliRunner.inDirectory(tmp, env, "vault", "init");
        assertThat(vault.exitCode()).as(vault.all()).isZero();
        CliRunner.Run seeded = CliRunner.inDirectory(tmp, env, "keys", "create-virtual", "--name", "alice");
        assertThat(seeded.exitCode()).as(seeded.all()).isZero();
        int ran = 0;
        for (String line : new LinkedHashSet<>(commandLines())) {
            List<String> args = arguments(line);
            if (hasPlaceholder(args) || args.contains("--help") || args.contains("--admin-url")) {
                continue;
            }
            String command = args.size() >= 2 && !args.get(1).startsWith("-") ? args.get(0) + " " + args.get(1) : args.getFirst();
            Set<Integer> allowed = RUNNABLE.getOrDefault(command, RUNNABLE.get(args.getFirst()));
            if (allowed == null) {
                continue;
            }
            CliRunner.Run run = CliRunner.inDirectory(tmp, env, args.toArray(String[]::new));
            assertThat(allowed).as("exit code of `%s`: %s", line, run.all()).contains(run.exitCode());
            ran++;
        }
        assertThat(ran).as("read-only README commands run").isGreaterThanOrEqualTo(8);
    }
}
