package dev.keywarden.scan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

/**
 * Scans files and directory trees on disk, in parallel over files. Never descends into
 * {@code .git}, does not follow symbolic links, skips binary files (a NUL byte in the first
 * 8000 bytes, as git decides) and files larger than the size cap. Text is read as ISO-8859-1, so
 * any byte sequence is accepted and columns count bytes; UTF-16 text (see {@link Utf16}), which has
 * NUL bytes too, is decoded and scanned (its columns count characters).
 */
public final class FileScanner {

    static final int BINARY_SNIFF_BYTES = 8000;

    private final SecretScanner scanner;
    private final long maxFileBytes;
    private final int parallelism;

    /**
     * @param maxFileBytes files larger than this are skipped (and counted)
     * @param parallelism  worker threads; the number of processors is a good default
     */
    public FileScanner(SecretScanner scanner, long maxFileBytes, int parallelism) {
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("the file size cap must be positive, was " + maxFileBytes);
        }
        this.scanner = scanner;
        this.maxFileBytes = maxFileBytes;
        this.parallelism = Math.max(1, parallelism);
    }

    /**
     * Scans every file under {@code roots}; findings sorted by path, line and column.
     *
     * @throws NoSuchFileException (wrapped in UncheckedIOException) naming a root that does not exist
     */
    public List<Finding> scan(List<Path> roots, ScanStats stats) {
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            collect(root, files);
        }
        ForkJoinPool pool = new ForkJoinPool(parallelism);
        try {
            List<Finding> found = pool.submit(() -> files.parallelStream()
                    .flatMap(f -> scanFile(f, stats).stream())
                    .toList()).get();
            List<Finding> sorted = new ArrayList<>(found);
            sorted.sort(Comparator.comparing(Finding::path).thenComparingInt(Finding::line).thenComparingInt(Finding::column));
            return sorted;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("scan interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private void collect(Path root, List<Path> out) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new UncheckedIOException(new NoSuchFileException(root.toString(), null, "no such file or directory"));
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    Path name = dir.getFileName();
                    return name != null && name.toString().equals(".git") && !dir.equals(root)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        out.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    out.add(file); // counted as unreadable when scanned
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    private List<Finding> scanFile(Path file, ScanStats stats) {
        String path = displayPath(file);
        if (scanner.skipsPath(path)) {
            stats.skippedAllowed.incrementAndGet();
            return List.of();
        }
        try {
            long size = Files.size(file);
            if (size > maxFileBytes) {
                stats.skippedTooLarge.incrementAndGet();
                return List.of();
            }
            byte[] bytes = Files.readAllBytes(file);
            String text = isBinary(bytes) ? Utf16.decode(bytes) : new String(bytes, StandardCharsets.ISO_8859_1);
            if (text == null) {
                stats.skippedBinary.incrementAndGet();
                return List.of();
            }
            stats.files.incrementAndGet();
            stats.bytes.addAndGet(bytes.length);
            return scanner.scan(new Fragment(path, null, text, 1));
        } catch (IOException e) {
            stats.unreadable.incrementAndGet();
            return List.of();
        }
    }

    /** True when the first {@value #BINARY_SNIFF_BYTES} bytes hold a NUL byte. */
    static boolean isBinary(byte[] bytes) {
        int n = Math.min(bytes.length, BINARY_SNIFF_BYTES);
        for (int i = 0; i < n; i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** The path as given (relative stays relative), with forward slashes. */
    static String displayPath(Path file) {
        String s = file.normalize().toString();
        return java.io.File.separatorChar == '/' ? s : s.replace(java.io.File.separatorChar, '/');
    }
}
