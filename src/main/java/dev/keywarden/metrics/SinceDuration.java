package dev.keywarden.metrics;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses positive spans such as {@code 30m}, {@code 24h}, {@code 7d} or {@code 2w} into a {@link Duration}:
 * look-back windows ({@code usage --since}) and lifetimes ({@code --expires-in}, {@code --grace}).
 */
public final class SinceDuration {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,6})([mhdw])");

    private SinceDuration() {
    }

    /** Throws {@link IllegalArgumentException} naming the accepted forms when {@code text} is not one of them. */
    public static Duration parse(String text) {
        return parse(text, "--since");
    }

    /**
     * As {@link #parse(String)}, with {@code setting} (an option or field name) leading the error message.
     */
    public static Duration parse(String text, String setting) {
        Matcher m = text == null ? null : FORMAT.matcher(text.strip());
        if (m == null || !m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(setting + ": expected a positive number followed by m, h, d or w"
                    + " (e.g. 30m, 24h, 7d), got '" + (text == null ? "" : clip(text)) + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    private static String clip(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "…";
    }
}
