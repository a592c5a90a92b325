package dev.keywarden.scan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the output of {@code git log -p -U0 --cc --full-index --format=%x00%H} or {@code git diff
 * --cached -U0 --full-index} (read line by line as ISO-8859-1) into {@link Fragment}s: each run of
 * consecutive added lines of one file in one commit becomes one fragment, with the new-file line
 * number of its first line. Merge commits come as combined diffs ({@code diff --cc}, {@code @@@}
 * hunks, one prefix column per parent): there a line counts as added only when it is new against
 * every parent, which is what a conflict resolution (or an "evil merge") wrote itself; lines taken
 * from one side were reported at the commit that added them. Removed lines and headers are skipped;
 * a binary file's change goes to {@code binarySink} with its blob ids (git shows UTF-16 text as
 * binary). Feed lines with {@link #line} and call {@link #finish} at the end. Not thread-safe.
 */
final class PatchParser {

    /** A file git showed as binary: its blob after the change and before it (one per parent; all-zero ids mean none). */
    record BinaryChange(String commit, String path, String newBlob, List<String> oldBlobs) { }

    /** The line git prints for each commit with {@code --format=%x00%H}. */
    static final char COMMIT_MARKER = '\0';

    private final Consumer<Fragment> sink;
    private final Consumer<String> onCommit;
    private final long maxFragmentChars;
    private Consumer<BinaryChange> binarySink = change -> { };

    private String commit;
    private String path;
    private String headerPath;
    private String newBlob;
    private List<String> oldBlobs = List.of();
    private int parents = 1;
    private int[] oldRemaining = new int[1];
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

    /** Where binary files' changes go (ignored unless set). */
    PatchParser onBinary(Consumer<BinaryChange> sink) {
        this.binarySink = sink;
        return this;
    }

    void line(String line) {
        if (inHunk()) {
            hunkLine(line);
            return;
        }
        if (!line.isEmpty() && line.charAt(0) == COMMIT_MARKER) {
            flush();
            commit = line.substring(1).strip();
            startFile(null);
            onCommit.accept(commit);
        } else if (line.startsWith("diff --git ")) {
            flush();
            startFile(symmetricPath(line.substring("diff --git ".length())));
        } else if (line.startsWith("diff --cc ") || line.startsWith("diff --combined ")) {
            flush();
            startFile(parsePath(line.substring(line.indexOf(' ', 5) + 1)));
        } else if (line.startsWith("index ")) {
            blobs(line.substring("index ".length()));
        } else if (line.startsWith("+++ ")) {
            flush();
            path = parsePath(line.substring(4));
        } else if (line.startsWith("Binary files ")) {
            binary(line);
        } else if (line.startsWith("@@")) {
            startHunk(line);
        }
    }

    private boolean inHunk() {
        if (newRemaining > 0) {
            return true;
        }
        for (int r : oldRemaining) {
            if (r > 0) {
                return true;
            }
        }
        return false;
    }

    private void startFile(String fromHeader) {
        path = null;
        headerPath = fromHeader;
        newBlob = null;
        oldBlobs = List.of();
    }

    /** {@code index OLD..NEW [mode]} or, for a merge, {@code index OLD1,OLD2..NEW}. */
    private void blobs(String spec) {
        int space = spec.indexOf(' ');
        String ids = space < 0 ? spec : spec.substring(0, space);
        int dots = ids.indexOf("..");
        if (dots < 0) {
            return;
        }
        newBlob = ids.substring(dots + 2);
        oldBlobs = List.of(ids.substring(0, dots).split(","));
    }

    /** {@code Binary files a/x and b/x differ}: hands the change over unless the file was deleted. */
    private void binary(String line) {
        String target = headerPath;
        String rest = line.endsWith(" differ") ? line.substring("Binary files ".length(), line.length() - " differ".length()) : "";
        if (rest.endsWith(" and /dev/null")) {
            return;
        }
        int quoted = rest.lastIndexOf(" and \"b/");
        int plain = rest.lastIndexOf(" and b/");
        int at = Math.max(quoted, plain);
        if (at >= 0) {
            target = parsePath(rest.substring(at + 5));
        }
        if (target != null && newBlob != null) {
            binarySink.accept(new BinaryChange(commit, target, newBlob, oldBlobs));
        }
    }

    /** The path of {@code a/P b/P} (both sides equal, as for every change but a rename), else null. */
    static String symmetricPath(String spec) {
        if (spec.length() < 7 || (spec.length() - 5) % 2 != 0) {
            return null;
        }
        int half = (spec.length() - 5) / 2;
        String a = spec.substring(0, 2 + half);
        String b = spec.substring(3 + half);
        if (!a.startsWith("a/") || !b.startsWith("b/") || spec.charAt(2 + half) != ' ' || !a.substring(2).equals(b.substring(2))) {
            return null;
        }
        return parsePath(b);
    }

    void finish() {
        flush();
    }

    private void hunkLine(String line) {
        if (!line.isEmpty() && line.charAt(0) == '\\') {
            return; // "\ No newline at end of file": not content
        }
        boolean inResult = true;
        boolean added = true;
        for (int i = 0; i < parents; i++) {
            char c = i < line.length() ? line.charAt(i) : ' ';
            if (c != '+') {
                added = false;
                oldRemaining[i]--; // the line is in parent i (context or removed)
            }
            if (c == '-') {
                inResult = false;
            }
        }
        if (!inResult) {
            flush();
            return;
        }
        if (added) {
            if (run == null || runStart + lineCount() != nextNewLine) {
                flush();
                run = new StringBuilder();
                runStart = nextNewLine;
                runTooLarge = false;
            } else {
                run.append('\n');
            }
            if (!runTooLarge) {
                run.append(line, Math.min(parents, line.length()), line.length());
                if (run.length() > maxFragmentChars) {
                    runTooLarge = true;
                    run.setLength(0);
                }
            }
            runLines++;
        } else { // context, or in a merge a line taken from one side
            flush();
        }
        nextNewLine++;
        newRemaining--;
    }

    private int lineCount() {
        return runLines;
    }

    private void startHunk(String header) {
        flush();
        // @@ -a[,b] +c[,d] @@ ...   or, for a merge of N parents, N+1 '@' and N old ranges
        int ats = 0;
        while (ats < header.length() && header.charAt(ats) == '@') {
            ats++;
        }
        int close = header.indexOf(" " + "@".repeat(ats), ats);
        String[] ranges = header.substring(ats, close < 0 ? header.length() : close).strip().split(" +");
        List<int[]> old = new ArrayList<>();
        int[] fresh = null;
        for (String r : ranges) {
            if (r.startsWith("-")) {
                old.add(range(r.substring(1)));
            } else if (r.startsWith("+")) {
                fresh = range(r.substring(1));
            }
        }
        if (fresh == null || old.isEmpty()) {
            return;
        }
        parents = old.size();
        oldRemaining = new int[parents];
        for (int i = 0; i < parents; i++) {
            oldRemaining[i] = old.get(i)[1];
        }
        newRemaining = fresh[1];
        nextNewLine = fresh[0];
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
