package dev.keywarden.scan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Small helpers to run git in a repository. */
final class Git {
    private Git() {
    }

    /** Runs git and returns its exit code; output is discarded. */
    static int exitCode(Path repo, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            return p.waitFor();
        } catch (IOException e) {
            throw new GitScanner.GitException("cannot run git (" + e.getMessage() + "); install git and make sure it is on PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitScanner.GitException("interrupted while running git");
        }
    }

    static void requireRepository(Path repo) {
        try {
            run(repo, "rev-parse", "--git-dir");
        } catch (GitScanner.GitException e) {
            throw new GitScanner.GitException("not a git repository: " + repo.toAbsolutePath().normalize()
                    + " (run inside a repository, or name it: keywarden scan --git-history DIR)");
        }
    }

    /** Output of a git command split on NUL (for -z) or newline. */
    static List<String> lines(Path repo, String... args) {
        String out = run(repo, args);
        String sep = out.indexOf('\0') >= 0 ? "\0" : "\n";
        List<String> result = new ArrayList<>();
        for (String s : out.split(sep)) {
            if (!s.isEmpty()) {
                result.add(s);
            }
        }
        return result;
    }

    /** The whole stdout of a git command, UTF-8; throws GitScanner.GitException on a non-zero exit. */
    static String run(Path repo, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exec(repo, in -> in.transferTo(out), args);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Streams stdout line by line (split on LF only, a trailing CR dropped, decoded as ISO-8859-1). */
    static void stream(Path repo, Consumer<String> lineSink, String... args) {
        exec(repo, in -> {
            byte[] buf = new byte[1 << 16];
            byte[] carry = new byte[256];
            int carryLen = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    if (carryLen > 0) {
                        byte[] joined = java.util.Arrays.copyOf(carry, carryLen + i - start);
                        System.arraycopy(buf, start, joined, carryLen, i - start);
                        lineSink.accept(toLine(joined, 0, joined.length));
                        carryLen = 0;
                    } else {
                        lineSink.accept(toLine(buf, start, i - start));
                    }
                    start = i + 1;
                }
                int rest = n - start;
                if (rest > 0) {
                    if (carry.length < carryLen + rest) {
                        carry = java.util.Arrays.copyOf(carry, Math.max(carry.length * 2, carryLen + rest));
                    }
                    System.arraycopy(buf, start, carry, carryLen, rest);
                    carryLen += rest;
                }
            }
            if (carryLen > 0) {
                lineSink.accept(toLine(carry, 0, carryLen));
            }
        }, args);
    }

    private static String toLine(byte[] bytes, int offset, int length) {
        int len = length > 0 && bytes[offset + length - 1] == '\r' ? length - 1 : length;
        return new String(bytes, offset, len, StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads blobs through one {@code git cat-file --batch} process. Not thread-safe; close it when done.
     */
    static final class Blobs implements AutoCloseable {
        private final Process process;
        private final java.io.OutputStream requests;
        private final java.io.BufferedInputStream replies;

        Blobs(Path repo) {
            try {
                process = new ProcessBuilder("git", "-C", repo.toAbsolutePath().toString(), "cat-file", "--batch")
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new GitScanner.GitException("cannot run git (" + e.getMessage() + "); install git and make sure it is on PATH");
            }
            requests = process.getOutputStream();
            replies = new java.io.BufferedInputStream(process.getInputStream());
        }

        /** The blob's bytes, or null when it is missing or larger than {@code maxBytes} (its bytes are skipped). */
        byte[] read(String id, long maxBytes) {
            try {
                requests.write((id + "\n").getBytes(StandardCharsets.US_ASCII));
                requests.flush();
                String header = headerLine();
                String[] parts = header.split(" ");
                if (parts.length < 3 || !parts[1].equals("blob")) {
                    return null; // "<id> missing", or not a blob
                }
                long size = Long.parseLong(parts[2]);
                byte[] content = null;
                if (size <= maxBytes) {
                    content = replies.readNBytes((int) size);
                } else {
                    replies.skipNBytes(size);
                }
                replies.read(); // the LF after the content
                return content;
            } catch (IOException | NumberFormatException e) {
                throw new GitScanner.GitException("git cat-file failed while reading blob " + id + ": " + e.getMessage());
            }
        }

        private String headerLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = replies.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() {
            try {
                requests.close();
                process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (IOException e) {
                // the process is going away anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                process.destroy();
            }
        }
    }

    interface StdoutReader {
        void read(InputStream in) throws IOException;
    }

    private static void exec(Path repo, StdoutReader reader, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toAbsolutePath().toString(),
                "-c", "core.quotePath=false", "-c", "diff.noprefix=false", "-c", "color.ui=never"));
        command.addAll(List.of(args));
        Path errFile = null;
        try {
            errFile = Files.createTempFile("keywarden-git", ".err");
            Process p = new ProcessBuilder(command).redirectError(errFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            try (InputStream in = p.getInputStream()) {
                reader.read(in);
            }
            int exit = p.waitFor();
            if (exit != 0) {
                String err = Files.readString(errFile, StandardCharsets.UTF_8).strip();
                int nl = err.indexOf('\n');
                throw new GitScanner.GitException("git " + args[0] + " failed (exit " + exit + "): "
                        + (nl < 0 ? err : err.substring(0, nl)));
            }
        } catch (IOException e) {
            throw new GitScanner.GitException("cannot run git (" + e.getMessage() + "); install git and make sure it is on PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitScanner.GitException("interrupted while running git");
        } finally {
            if (errFile != null) {
                try {
                    Files.deleteIfExists(errFile);
                } catch (IOException ignored) {
                    // a temp file left behind holds only git's stderr
                }
            }
        }
    }
}
