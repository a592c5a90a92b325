package dev.keywarden.auth.token;

import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The shape of a short-lived token: {@code kw_tmp_} + 32 base62 characters from {@link SecureRandom}
 * (190 bits) + 6 base62 characters of the CRC32 of everything before them, 45 characters in all —
 * the virtual-key format ({@link dev.keywarden.auth.VirtualKeyFormat}) with its own prefix.
 *
 * <p>The prefix lets secret scanners (rule {@code keywarden-temporary-token}) and the redactor find leaked
 * tokens; the checksum lets the gateway refuse a typo or a random string before any lookup. A token
 * is never a well-formed virtual key (different length), and a virtual key never starts with
 * {@code kw_tmp_}.
 */
public final class TokenFormat {

    /** Every token starts with this. */
    public static final String PREFIX = "kw_tmp_";
    /** Total length of a token. */
    public static final int LENGTH = 45;

    static final int RANDOM_LENGTH = 32;
    static final int CHECKSUM_LENGTH = 6;
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static final int CHECKED_LENGTH = PREFIX.length() + RANDOM_LENGTH;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFormat() {
    }

    /** A new random token. */
    public static String generate() {
        StringBuilder token = new StringBuilder(LENGTH).append(PREFIX);
        appendRandom(token, RANDOM_LENGTH);
        appendBase62(token, checksum(token), CHECKSUM_LENGTH);
        return token.toString();
    }

    /** True when {@code candidate} has the exact length, prefix, alphabet and a matching checksum. Touches no store. */
    public static boolean isWellFormed(String candidate) {
        if (candidate == null || candidate.length() != LENGTH || !candidate.startsWith(PREFIX)) {
            return false;
        }
        long expected = 0;
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            int digit = ALPHABET.indexOf(candidate.charAt(i));
            if (digit < 0) {
                return false;
            }
            if (i >= CHECKED_LENGTH) {
                expected = expected * ALPHABET.length() + digit;
            }
        }
        return checksum(candidate) == expected;
    }

    /** Whether {@code presented} claims to be a token (starts with {@code kw_tmp_}), well formed or not. */
    public static boolean looksLikeToken(String presented) {
        return presented != null && presented.strip().startsWith(PREFIX);
    }

    /** {@code length} uniformly random base62 characters (for ids). */
    static String randomBase62(int length) {
        StringBuilder out = new StringBuilder(length);
        appendRandom(out, length);
        return out.toString();
    }

    private static void appendRandom(StringBuilder out, int length) {
        for (int i = 0; i < length; i++) {
            out.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
    }

    private static long checksum(CharSequence token) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < CHECKED_LENGTH; i++) {
            crc.update(token.charAt(i));
        }
        return crc.getValue();
    }

    private static void appendBase62(StringBuilder out, long value, int width) {
        char[] digits = new char[width];
        long rest = value;
        for (int i = width - 1; i >= 0; i--) {
            digits[i] = ALPHABET.charAt((int) (rest % ALPHABET.length()));
            rest /= ALPHABET.length();
        }
        out.append(digits);
    }
}
