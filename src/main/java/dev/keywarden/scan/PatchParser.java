package dev.keywarden.scan;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns the output of {@code git log -p -U0 --format=%x00%H} or {@code git diff --cached -U0}
 * (read line by line as ISO-8859-1) into {@link Fragment}s: each run of consecutive added lines of
 * one file in one commit becomes one fragment, with the new-file line number of its first line.
 * Removed lines, headers and binary-file notices are skipped. Feed lines with {@link #line} and call
 * {@link #finish} at the end. Not thread-safe.
 */
final class PatchParser {

    /** The line git prints for each commit with {@code --format=%x00%H}. */
    static final char COMMIT_MARKER = '\0';

    private final Consumer<Fragment> sink;
    private final Consumer<String> onCommit;
    private final long maxFragmentChars;

    private String commit;
    private String path;
    private int oldRemaining;
    private int newRemaining;
    private int nextNewLine;

    private StringBuilder run;
    private int runStart;
    private int runLines;
    private boolean runTooLarge;

    /**
     * @param sink             receives each run of added lines
     * @param onCommit         told each commit hash as it starts
     * @param maxFragmentChars longer runs are dropped (the size cap)
     */
    PatchParser(Consumer<Fragment> sink, Consumer<String> onCommit, long maxFragmentChars) {
        this.sink = sink;
        this.onCommit = onCommit;
        this.maxFragmentChars = maxFragmentChars;
    }

    void line(String line) {
        if (oldRemaining > 0 || newRemaining > 0) {
            hunkLine(line);
            return;
        }
        if (!line.isEmpty() && line.charAt(0) == COMMIT_MARKER) {
            flush();
            commit = line.substring(1).strip();
            path = null;
            onCommit.accept(commit);
        } else if (line.startsWith("diff --git ")) {
            flush();
            path = null;
        } else if (line.startsWith("+++ ")) {
            flush();
            path = parsePath(line.substring(4));
        } else if (line.startsWith("@@ ")) {
            startHunk(line);
        }
    }

    void finish() {
        flush();
    }

    private void hunkLine(String line) {
        char c = line.isEmpty() ? ' ' : line.charAt(0);
        switch (c) {
            case '+' -> {
                if (run == null || runStart + lineCount() != nextNewLine) {
                    flush();
                    run = new StringBuilder();
                    runStart = nextNewLine;
                    runTooLarge = false;
                } else {
                    run.append('\n');
                }
                if (!runTooLarge) {
                    run.append(line, 1, line.length());
                    if (run.length() > maxFragmentChars) {
                        runTooLarge = true;
                        run.setLength(0);
                    }
                }
                runLines++;
                nextNewLine++;
                newRemaining--;
            }
            case '-' -> {
                flush();
                oldRemaining--;
            }
            case '\\' -> {
                // "\ No newline at end of file": not content
            }
            default -> { // context line (only with -U > 0)
                flush();
                nextNewLine++;
                oldRemaining--;
                newRemaining--;
            }
        }
    }

    private int lineCount() {
        return runLines;
    }

    private void startHunk(String header) {
        flush();
        // @@ -a[,b] +c[,d] @@ ...
        int minus = header.indexOf('-');
        int plus = header.indexOf('+', minus);
        int end = header.indexOf(' ', plus);
        int[] oldRange = range(header.substring(minus + 1, header.indexOf(' ', minus)));
        int[] newRange = range(header.substring(plus + 1, end < 0 ? header.length() : end));
        oldRemaining = oldRange[1];
        newRemaining = newRange[1];
        nextNewLine = newRange[0];
    }

    private static int[] range(String spec) {
        int comma = spec.indexOf(',');
        if (comma < 0) {
            return new int[] {Integer.parseInt(spec), 1};
        }
        return new int[] {Integer.parseInt(spec.substring(0, comma)), Integer.parseInt(spec.substring(comma + 1))};
    }

    private void flush() {
        if (run != null) {
            if (!runTooLarge && path != null && run.length() > 0) {
                sink.accept(new Fragment(path, commit, run.toString(), runStart));
            }
            run = null;
            runLines = 0;
        }
    }

    /** The path of a {@code +++ b/path} header (null for /dev/null), decoded from UTF-8 and unquoted. */
    static String parsePath(String spec) {
        String s = spec;
        int tab = s.indexOf('\t');
        if (tab >= 0) {
            s = s.substring(0, tab);
        }
        if (s.equals("/dev/null")) {
            return null;
        }
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = unquote(s.substring(1, s.length() - 1));
        }
        if (s.startsWith("b/")) {
            s = s.substring(2);
        }
        return new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** Undoes git's C-style quoting of a path (octal escapes are bytes). */
    private static String unquote(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                default -> {
                    if (n >= '0' && n <= '7' && i + 2 < s.length()) {
                        out.append((char) Integer.parseInt(s.substring(i, i + 3), 8));
                        i += 2;
                    } else {
                        out.append(n);
                    }
                }
            }
        }
        return out.toString();
    }
}
