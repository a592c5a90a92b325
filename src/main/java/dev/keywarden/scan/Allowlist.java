package dev.keywarden.scan;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Exceptions to a rule (or to every rule): a finding is dropped when its path matches one of
 * {@link #paths}, its secret matches one of {@link #regexes}, or its secret contains one of the
 * {@link #stopwords} (case-insensitive). Immutable.
 */
public record Allowlist(List<Pattern> paths, List<Pattern> regexes, List<String> stopwords) {

    /** Allows nothing. */
    public static final Allowlist NONE = new Allowlist(List.of(), List.of(), List.of());

    public Allowlist {
        paths = List.copyOf(paths);
        regexes = List.copyOf(regexes);
        stopwords = stopwords.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    /** True when every finding in {@code path} is allowed. */
    public boolean allowsPath(String path) {
        for (Pattern p : paths) {
            if (p.matcher(path).find()) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code secret} is allowed by a regex or a stopword. */
    public boolean allowsSecret(String secret) {
        for (Pattern p : regexes) {
            if (p.matcher(secret).find()) {
                return true;
            }
        }
        if (!stopwords.isEmpty()) {
            String lower = secret.toLowerCase(Locale.ROOT);
            for (String word : stopwords) {
                if (lower.contains(word)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Both lists of exceptions together. */
    public Allowlist and(Allowlist other) {
        return new Allowlist(concat(paths, other.paths), concat(regexes, other.regexes), concat(stopwords, other.stopwords));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
