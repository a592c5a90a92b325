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
 * {@code git log -p -U0 --cc --all} plus every {@code git stash} entry and scans the lines each
 * commit added (reporting commit, path and line); {@link #scanStaged} scans the lines the index adds
 * ({@code git diff --cached -U0}), which is what a pre-commit hook must check. Only added lines are
 * scanned, so a secret is reported at the commit that introduced it: for a merge, the lines new
 * against every parent (a conflict resolution); for a stash, its work-tree, index and untracked-file
 * commits. Files git shows as binary are read from the object store and scanned when they are UTF-16
 * text (their added lines, found by comparing with the previous version); their findings follow the others.
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
        List<String> args = new ArrayList<>(List.of("log", "-p", "-U0", "--cc", "--full-index", "--all", "--no-color",
                "--no-ext-diff", "--no-textconv", "--format=%x00%H"));
        // --all reaches only the newest stash (refs/stash); older entries live in its reflog
        args.addAll(Git.lines(repo, "stash", "list", "--format=%H"));
        return scanPatch(stats, args.toArray(String[]::new));
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
        return scanPatch(stats, "diff", "--cached", "-U0", "--full-index", "--no-color", "--no-ext-diff", "--no-textconv");
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
        List<PatchParser.BinaryChange> binaries = new ArrayList<>();
        try {
            PatchParser parser = new PatchParser(sink, c -> stats.commits.incrementAndGet(), MAX_FRAGMENT_CHARS)
                    .onBinary(change -> {
                        if (!scanner.skipsPath(change.path())) {
                            binaries.add(change);
                        }
                    });
            Git.stream(repo, parser::line, args);
            parser.finish();
            if (!binaries.isEmpty()) {
                try (Git.Blobs blobs = new Git.Blobs(repo)) {
                    for (PatchParser.BinaryChange change : binaries) {
                        addedUtf16Lines(change, blobs).forEach(sink);
                    }
                }
            }
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

    /**
     * The runs of lines a binary change added when its new version is UTF-16 text: lines of the new
     * version found in no previous version (one per parent), grouped into consecutive runs; nothing
     * for any other binary file.
     */
    static List<Fragment> addedUtf16Lines(PatchParser.BinaryChange change, Git.Blobs blobs) {
        byte[] bytes = blobs.read(change.newBlob(), MAX_FRAGMENT_CHARS);
        String text = bytes == null ? null : Utf16.decode(bytes);
        if (text == null) {
            return List.of();
        }
        Set<String> before = new HashSet<>();
        for (String old : change.oldBlobs()) {
            if (old.chars().allMatch(c -> c == '0')) {
                continue;
            }
            byte[] oldBytes = blobs.read(old, MAX_FRAGMENT_CHARS);
            if (oldBytes != null) {
                String oldText = FileScanner.isBinary(oldBytes) ? Utf16.decode(oldBytes)
                        : new String(oldBytes, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (oldText != null) {
                    before.addAll(oldText.lines().toList());
                }
            }
        }
        List<Fragment> runs = new ArrayList<>();
        List<String> lines = text.lines().toList();
        StringBuilder run = null;
        int runStart = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (before.contains(line)) {
                if (run != null) {
                    runs.add(new Fragment(change.path(), change.commit(), run.toString(), runStart));
                    run = null;
                }
                continue;
            }
            if (run == null) {
                run = new StringBuilder(line);
                runStart = i + 1;
            } else {
                run.append('\n').append(line);
            }
        }
        if (run != null) {
            runs.add(new Fragment(change.path(), change.commit(), run.toString(), runStart));
        }
        return runs;
    }

    /** git could not be run or failed; the message says what and how to fix it. */
    public static final class GitException extends RuntimeException {
        public GitException(String message) {
            super(message, null, false, false);
        }
    }
}
