package dev.keywarden.cli;

import dev.keywarden.scan.Baseline;
import dev.keywarden.scan.FileScanner;
import dev.keywarden.scan.Finding;
import dev.keywarden.scan.GitScanner;
import dev.keywarden.scan.GitignoreShield;
import dev.keywarden.scan.HookInstaller;
import dev.keywarden.scan.Launcher;
import dev.keywarden.scan.ReportFormat;
import dev.keywarden.scan.RuleSet;
import dev.keywarden.scan.ScanStats;
import dev.keywarden.scan.SecretScanner;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keywarden scan}: finds leaked credentials in files, the git index or git history. Output
 * never contains a whole secret (see {@link Finding}). Exit code 0 when clean, 1 when something
 * is found, 2 on a usage error or when the scan could not complete (so a hook fails closed).
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Find leaked keys and tokens (Anthropic, Keywarden kw_ and kwadm_, cloud and VCS credentials) in files, "
                + "the git index (--staged) or git history (--git-history).",
                "Exit code: 0 clean, 1 secrets found, 2 usage error or scan failure."},
        subcommands = {ScanCommand.InstallHook.class})
public final class ScanCommand implements Callable<Integer> {

    static final int CLEAN = 0;
    static final int FOUND = 1;
    static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Files or directories to scan (default: the current directory); with --git-history, the"
                    + " repository (like --repo).")
    List<Path> paths;

    @Option(names = "--staged", description = "Scan the lines added in the git index (what the next commit would add).")
    boolean staged;

    @Option(names = "--git-history", description = "Scan every commit of every branch and every stash entry (lines added by"
            + " each commit, conflict resolutions in merges included), reporting commit, path and line.")
    boolean gitHistory;

    @Option(names = "--repo", paramLabel = "DIR", description = "Git repository for --staged / --git-history (default: the current directory).")
    Path repo;

    @Option(names = "--rules", paramLabel = "FILE", description = "Extra rules (YAML or JSON, same format as the built-in rules.yaml); a rule with a built-in id replaces it.")
    Path rulesFile;

    @Option(names = "--baseline", paramLabel = "FILE", description = "Accepted findings (a report written with --format json); they are not reported again.")
    Path baselineFile;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "Report format: table, json or sarif (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report to FILE instead of stdout.")
    Path output;

    @Option(names = "--max-file-size", paramLabel = "MB", defaultValue = "10",
            description = "Skip files larger than this many megabytes (default: ${DEFAULT-VALUE}).")
    double maxFileMegabytes;

    @Option(names = {"-q", "--quiet"}, description = "No summary line on stderr.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ReportFormat reportFormat;
        try {
            reportFormat = ReportFormat.valueOf(format.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return usage("unknown --format '" + format + "'; use table, json or sarif");
        }
        if (staged && gitHistory) {
            return usage("--staged and --git-history cannot be combined; run them one after the other");
        }
        Path repository = repo;
        if (staged && paths != null && !paths.isEmpty()) {
            return usage("PATH arguments cannot be combined with --staged (it scans what the index adds); use --repo DIR to choose the repository");
        }
        if (gitHistory && paths != null && !paths.isEmpty()) {
            if (paths.size() > 1) {
                return usage("--git-history scans one repository; give one PATH (or --repo DIR), not " + paths.size());
            }
            if (repo != null && !repo.toAbsolutePath().normalize().equals(paths.getFirst().toAbsolutePath().normalize())) {
                return usage("--git-history: PATH " + paths.getFirst() + " and --repo " + repo + " name different repositories; give one");
            }
            repository = paths.getFirst();
        }
        if (!(maxFileMegabytes > 0)) {
            return usage("--max-file-size must be a positive number of megabytes");
        }
        RuleSet rules;
        Baseline baseline;
        try {
            rules = rulesFile == null ? RuleSet.builtIn() : RuleSet.builtIn().withOverrides(rulesFile);
            baseline = baselineFile == null ? Baseline.empty() : Baseline.read(baselineFile);
        } catch (RuntimeException e) {
            return usage(e.getMessage());
        }

        SecretScanner scanner = new SecretScanner(rules);
        ScanStats stats = new ScanStats();
        long started = System.nanoTime();
        List<Finding> findings;
        try {
            if (staged || gitHistory) {
                GitScanner git = new GitScanner(scanner, repository == null ? Path.of("") : repository);
                findings = staged ? git.scanStaged(stats, err) : git.scanHistory(stats);
            } else {
                List<Path> roots = paths == null || paths.isEmpty() ? List.of(Path.of(".")) : paths;
                findings = new FileScanner(scanner, (long) (maxFileMegabytes * 1024 * 1024),
                        Runtime.getRuntime().availableProcessors()).scan(roots, stats);
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException nsf) {
                return usage("no such file or directory: " + nsf.getFile());
            }
            return usage("scan failed: " + e.getMessage());
        } catch (GitScanner.GitException e) {
            return usage(e.getMessage());
        }
        List<Finding> reported = baseline.filter(findings);
        long millis = (System.nanoTime() - started) / 1_000_000;

        try {
            if (output == null) {
                reportFormat.write(reported, rules, spec.commandLine().getOut());
                spec.commandLine().getOut().flush();
            } else {
                Path parent = output.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try (Writer w = new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8)) {
                    reportFormat.write(reported, rules, w);
                }
            }
        } catch (IOException e) {
            return usage("cannot write the report to " + output + ": " + e.getMessage());
        }
        if (!quiet) {
            int accepted = findings.size() - reported.size();
            err.println("keywarden scan: " + stats.summary() + " in " + millis + " ms; "
                    + reported.size() + (reported.size() == 1 ? " finding" : " findings")
                    + (accepted > 0 ? " (" + accepted + " more accepted by the baseline)" : "")
                    + (output != null ? "; report written to " + output : ""));
        }
        return reported.isEmpty() ? CLEAN : FOUND;
    }

    private int usage(String message) {
        spec.commandLine().getErr().println("keywarden scan: " + message);
        return USAGE;
    }

    /**
     * {@code keywarden scan install-hook}: installs (or with {@code --uninstall} removes) the
     * pre-commit hook and runs the .gitignore shield. Exit 0 on success, 2 when refused or on error.
     */
    @Command(name = "install-hook", mixinStandardHelpOptions = true,
            description = {"Install a git pre-commit hook that runs `keywarden scan --staged` and blocks a commit adding a secret.",
                    "Also warns when .env-style files are tracked or not ignored (--fix-gitignore adds the standard lines)."})
    static final class InstallHook implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--uninstall", description = "Remove the keywarden hook (a chained previous hook is put back).")
        boolean uninstall;

        @Option(names = "--chain", description = "Keep an existing pre-commit hook not written by keywarden: it runs first, then the scan.")
        boolean chain;

        @Option(names = "--fix-gitignore", description = "Add the standard .env ignore lines to the top-level .gitignore.")
        boolean fixGitignore;

        @Option(names = "--repo", paramLabel = "DIR", description = "The git repository (default: the current directory).")
        Path repo;

        @Option(names = "--launcher", paramLabel = "FILE",
                description = "The keywarden script or jar the hook calls (default: the one running now, by absolute path).")
        Path launcher;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path dir = repo == null ? Path.of("") : repo;
            try {
                HookInstaller installer = new HookInstaller(dir);
                if (uninstall) {
                    out.println(installer.uninstall().message());
                    return CLEAN;
                }
                List<String> command = launcher == null ? Launcher.current(Main.class, System.getenv(Launcher.LAUNCHER_ENV))
                        : Launcher.of(launcher);
                out.println(installer.install(command, chain).message());
                if (fixGitignore) {
                    List<String> added = GitignoreShield.fix(dir);
                    out.println(added.isEmpty() ? ".gitignore already has the standard .env lines"
                            : ".gitignore: added " + String.join(" ", added));
                }
                for (String warning : GitignoreShield.check(dir)) {
                    err.println("keywarden: warning: " + warning);
                }
                return CLEAN;
            } catch (HookInstaller.HookException | GitScanner.GitException | IllegalArgumentException | UncheckedIOException e) {
                err.println("keywarden scan install-hook: " + e.getMessage());
                return USAGE;
            }
        }
    }
}
