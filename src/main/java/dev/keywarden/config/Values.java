package dev.keywarden.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the value syntaxes used in configuration (durations, byte sizes, counts). */
final class Values {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?");

    private Values() {
    }

    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}; a bare number is seconds. */
    static Duration duration(String raw) {
        Matcher m = DURATION.matcher(raw.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a duration such as 500ms, 30s, 10m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** {@code 32MB}, {@code 16KiB}, {@code 1048576}; KB and KiB both mean 1024 bytes. */
    static long bytes(String raw) {
        Matcher m = SIZE.matcher(raw.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a size such as 16KB, 32MB or a number of bytes");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        return switch (unit) {
            case "b" -> n;
            case "kb", "kib" -> n * 1024;
            case "mb", "mib" -> n * 1024 * 1024;
            default -> n * 1024 * 1024 * 1024;
        };
    }

    static int positiveInt(String raw) {
        int n;
        try {
            n = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("must be greater than 0");
        }
        return n;
    }
}
