package dev.keywarden.users;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a new password must be: 12 to 1024 characters (Unicode code points, after NFKC normalisation), not a
 * single repeated character, not the username, and not on the shipped list of common breached passwords
 * ({@code common-passwords.txt}, compared case-insensitively). No composition rules (NIST SP 800-63B).
 *
 * <p>Guarantee: a refusal message says which rule failed and never quotes the password.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 1024;

    private final Set<String> common;

    private PasswordPolicy(Set<String> common) {
        this.common = Set.copyOf(common);
    }

    /** The policy with the shipped common-password list. */
    public static PasswordPolicy standard() {
        Set<String> list = new HashSet<>();
        try (InputStream in = PasswordPolicy.class.getResourceAsStream("common-passwords.txt")) {
            if (in == null) {
                throw new IllegalStateException("common-passwords.txt is missing from the jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                String s = line.strip();
                if (!s.isEmpty() && !s.startsWith("#")) {
                    list.add(s.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PasswordPolicy(list);
    }

    /**
     * @throws WeakPasswordException naming the rule {@code password} breaks
     */
    public void check(char[] password, String username) {
        if (password == null || password.length == 0) {
            throw new WeakPasswordException("a password is required (at least " + MIN_LENGTH + " characters)");
        }
        if (password.length > MAX_LENGTH * 2) {
            throw new WeakPasswordException("a password has at most " + MAX_LENGTH + " characters");
        }
        String normalized = Normalizer.normalize(CharBuffer.wrap(password), Normalizer.Form.NFKC);
        int length = normalized.codePointCount(0, normalized.length());
        if (length < MIN_LENGTH) {
            throw new WeakPasswordException("a password needs at least " + MIN_LENGTH + " characters (this one has " + length
                    + "); a few unrelated words make a long password that is easy to remember");
        }
        if (length > MAX_LENGTH) {
            throw new WeakPasswordException("a password has at most " + MAX_LENGTH + " characters (this one has " + length + ")");
        }
        if (normalized.codePoints().distinct().count() == 1) {
            throw new WeakPasswordException("a password must not be one character repeated");
        }
        String lower = normalized.toLowerCase(Locale.ROOT);
        if (username != null && lower.equals(username.toLowerCase(Locale.ROOT))) {
            throw new WeakPasswordException("a password must not be the username");
        }
        if (common.contains(lower)) {
            throw new WeakPasswordException("this password is on the list of common breached passwords; choose another");
        }
    }

    /** A password that breaks the policy; the message names the rule and never quotes the password. */
    public static final class WeakPasswordException extends IllegalArgumentException {
        WeakPasswordException(String message) {
            super(message);
        }
    }
}
