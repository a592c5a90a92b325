package dev.keywarden.vault.source;

import dev.keywarden.vault.source.SecretSourceException.Kind;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/** Helpers shared by the sources: trailing line breaks, empty values, and safe server text. */
final class SecretBytes {

    private static final Pattern KEY_LIKE = Pattern.compile("(?i)sk-ant-[A-Za-z0-9_\\-]*");
    private static final int MAX_SERVER_TEXT = 160;

    private SecretBytes() {
    }

    /**
     * Removes trailing {@code \n} / {@code \r} (a file written with {@code echo} ends in one),
     * refuses an empty value, and wipes {@code raw} when a copy had to be made.
     */
    static byte[] finish(byte[] raw, String describe) {
        int end = raw.length;
        while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
            end--;
        }
        if (end == 0) {
            Arrays.fill(raw, (byte) 0);
            throw new SecretSourceException(Kind.NOT_FOUND, describe + ": the value is empty; store the provider key there");
        }
        if (end == raw.length) {
            return raw;
        }
        byte[] out = Arrays.copyOf(raw, end);
        Arrays.fill(raw, (byte) 0);
        return out;
    }

    static byte[] finish(String value, String describe) {
        return finish(value.getBytes(StandardCharsets.UTF_8), describe);
    }

    /**
     * A short, printable excerpt of an error text written by a remote service (never of a value):
     * control characters removed, anything shaped like a provider key redacted, at most 160 chars.
     */
    static String serverText(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        String s = KEY_LIKE.matcher(text).replaceAll("[redacted]");
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_SERVER_TEXT));
        for (int i = 0; i < s.length() && out.length() < MAX_SERVER_TEXT; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (s.length() > MAX_SERVER_TEXT) {
            out.append('…');
        }
        return out.toString().strip();
    }
}
