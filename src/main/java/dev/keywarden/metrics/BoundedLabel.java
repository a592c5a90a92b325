package dev.keywarden.metrics;

import dev.keywarden.log.Redactor;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns a value that may come from a client (a model name, an error type) into a metric label
 * value with bounded cardinality. Guarantees: at most {@code maxDistinct} different values are ever
 * returned besides {@link #OTHER} and {@link #NONE}; a value longer than 64 characters, with
 * characters outside {@code [A-Za-z0-9._:@/-]}, or that the {@link Redactor} would change (a key
 * shape) is never returned — it becomes {@link #OTHER}.
 */
final class BoundedLabel {

    static final String OTHER = "other";
    static final String NONE = "none";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:@/\\-]{1,64}");

    private final int maxDistinct;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    BoundedLabel(int maxDistinct) {
        if (maxDistinct < 1) {
            throw new IllegalArgumentException("maxDistinct must be at least 1 but was " + maxDistinct);
        }
        this.maxDistinct = maxDistinct;
    }

    String of(String value) {
        if (value == null || value.isEmpty()) {
            return NONE;
        }
        if (seen.contains(value)) {
            return value;
        }
        if (!SAFE.matcher(value).matches() || !value.equals(Redactor.redact(value))) {
            return OTHER;
        }
        synchronized (seen) {
            if (seen.contains(value)) {
                return value;
            }
            if (seen.size() >= maxDistinct) {
                return OTHER;
            }
            seen.add(value);
            return value;
        }
    }
}
