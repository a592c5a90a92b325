package dev.keywarden.scan;

/**
 * A piece of text to scan and where it came from: a whole file, or a run of lines added by a
 * commit or staged in the index. {@code firstLine} is the 1-based line number of the text's first
 * line in {@code path}; {@code commit} is null outside history.
 */
public record Fragment(String path, String commit, String text, int firstLine) {
}
