package dev.keywarden.scan;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Scans a git repository through the {@code git} command: {@link #scanHistory} streams
 * {@code git log -p -U0 --all} and scans the lines each commit added (reporting commit, path and
 * line); {@link #scanStaged} scans the lines the index adds ({@code git diff --cached -U0}), which
 * is what a pre-commit hook must check. Only added lines are scanned, so a secret is reported at
 * the commit that introduced it.
 */
public final class GitScanner {

    /** Runs of added lines longer than this are skipped, like over-size files. */
    static final long MAX_FRAGMENT_CHARS = 10L * 1024 * 1024;
    /** Fragments parsed but not yet scanned, at most. */
    static final int IN_FLIGHT = 512;

    private final SecretScanner scanner;
    private final Path repo;

    public GitScanner(SecretScanner scanner, Path repo) {
        this.scanner = scanner;
        this.repo = repo;
    }

    /**
     * Every commit reachable from any ref.
     *
     * @throws GitException when the directory is not a repository or git fails
     */
    public List<Finding> scanHistory(ScanStats stats) {
        requireRepository();
        return scanPatch(stats, "log", "-p", "-U0", "--all", "--no-color", "--no-ext-diff", "--no-textconv",
                "--format=%x00%H");
    }

    /**
     * The lines the next commit would add. Warns on {@code err} about staged {@code .env}-style files.
     *
     * @throws GitException when the directory is not a repository or git fails
     */
    public List<Finding> scanStaged(ScanStats stats, PrintWriter err) {
        requireRepository();
        for (String path : Git.lines(repo, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR")) {
            if (GitignoreShield.isEnvStyle(path)) {
                err.println("keywarden scan: warning: " + path + " is staged; .env-style files hold secrets and belong in .gitignore"
                        + " (keywarden scan install-hook --fix-gitignore adds the standard lines)");
            }
        }
        return scanPatch(stats, "diff", "--cached", "-U0", "--no-color", "--no-ext-diff", "--no-textconv");
    }

    private void requireRepository() {
        Git.requireRepository(repo);
    }

    /**
     * Streams git's patch output through the {@link PatchParser} on this thread while worker
     * threads scan the fragments (at most {@value #IN_FLIGHT} waiting), so git, parsing and
     * scanning overlap. Findings keep git's order (newest commit first for history).
     */
    private List<Finding> scanPatch(ScanStats stats, String... args) {
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(workers, Thread.ofPlatform().daemon().name("keywarden-scan-", 0).factory());
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<Future<List<Finding>>> results = new ArrayList<>();
        Set<String> files = new HashSet<>();
        Consumer<Fragment> sink = fragment -> {
            stats.bytes.addAndGet(fragment.text().length());
            if (files.add(fragment.path())) {
                stats.files.incrementAndGet();
            }
            inFlight.acquireUninterruptibly();
            results.add(pool.submit(() -> {
                try {
                    return scanner.scan(fragment);
                } finally {
                    inFlight.release();
                }
            }));
        };
        try {
            PatchParser parser = new PatchParser(sink, c -> stats.commits.incrementAndGet(), MAX_FRAGMENT_CHARS);
            Git.stream(repo, parser::line, args);
            parser.finish();
            List<Finding> found = new ArrayList<>();
            for (Future<List<Finding>> f : results) {
                found.addAll(f.get());
            }
            if (found.stream().allMatch(f -> f.commit() == null)) {
                found.sort(Comparator.comparing(Finding::path).thenComparingInt(Finding::line).thenComparingInt(Finding::column));
            }
            return found;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitException("interrupted while scanning");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** git could not be run or failed; the message says what and how to fix it. */
    public static final class GitException extends RuntimeException {
        public GitException(String message) {
            super(message, null, false, false);
        }
    }
}
