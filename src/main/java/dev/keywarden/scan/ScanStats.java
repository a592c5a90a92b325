package dev.keywarden.scan;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one scan, for the summary line: what was read and what was skipped and why. Thread-safe. */
public final class ScanStats {
    final AtomicLong files = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong commits = new AtomicLong();
    final AtomicLong skippedBinary = new AtomicLong();
    final AtomicLong skippedTooLarge = new AtomicLong();
    final AtomicLong skippedAllowed = new AtomicLong();
    final AtomicLong unreadable = new AtomicLong();

    public long files() {
        return files.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public long commits() {
        return commits.get();
    }

    public long skippedBinary() {
        return skippedBinary.get();
    }

    public long skippedTooLarge() {
        return skippedTooLarge.get();
    }

    public long skippedAllowed() {
        return skippedAllowed.get();
    }

    /** One line such as {@code scanned 12 files (3.4 MB); skipped 2 binary, 1 over the size cap}. */
    /** Files that could not be read (permissions, vanished while scanning). */
    public long unreadable() {
        return unreadable.get();
    }

    public String summary() {
        StringBuilder sb = new StringBuilder("scanned ");
        if (commits() > 0) {
            sb.append(commits()).append(" commits, ");
        }
        sb.append(files()).append(files() == 1 ? " file" : " files")
                .append(String.format(java.util.Locale.ROOT, " (%.1f MB)", bytes() / 1e6));
        if (skippedBinary() + skippedTooLarge() + skippedAllowed() > 0) {
            sb.append("; skipped ").append(skippedBinary()).append(" binary, ")
                    .append(skippedTooLarge()).append(" over the size cap, ")
                    .append(skippedAllowed()).append(" allow-listed");
        }
        if (unreadable() > 0) {
            sb.append("; ").append(unreadable()).append(" could not be read (check permissions)");
        }
        return sb.toString();
    }
}
