package dev.keywarden.auth;

import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The shape of a Keywarden virtual key: {@code kw_} + 32 base62 characters from {@link SecureRandom}
 * (190 bits) + 6 base62 characters of the CRC32 of everything before them, 41 characters in all.
 *
 * <p>As with GitHub's token format, the fixed prefix lets secret scanners find leaked keys and the
 * checksum lets them (and the gateway, before any lookup) tell a real key from a typo or a random
 * string offline. Generated keys never start with {@code kw_tmp_}, which is reserved for
 * short-lived tokens.
 */
public final class VirtualKeyFormat {

    /** Every virtual key starts with this. */
    public static final String PREFIX = "kw_";
    /** Total length of a virtual key. */
    public static final int LENGTH = 41;

    /** Length of the non-secret {@linkplain #displayPrefix display prefix}: {@code kw_} + 8 characters. */
    public static final int DISPLAY_PREFIX_LENGTH = 11;

    static final int RANDOM_LENGTH = 32;
    static final int CHECKSUM_LENGTH = 6;
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static final int CHECKED_LENGTH = PREFIX.length() + RANDOM_LENGTH;
    private static final SecureRandom RANDOM = new SecureRandom();

    private VirtualKeyFormat() {
    }

    /** A new random virtual key. */
    public static String generate() {
        StringBuilder key = new StringBuilder(LENGTH).append(PREFIX);
        appendRandom(key, RANDOM_LENGTH);
        appendBase62(key, checksum(key), CHECKSUM_LENGTH);
        return key.toString();
    }

    /**
     * True when {@code candidate} has the exact length, prefix, alphabet and a matching checksum.
     * Runs without allocating a string and never touches any store.
     */
    public static boolean isWellFormed(String candidate) {
        if (candidate == null || candidate.length() != LENGTH || !candidate.startsWith(PREFIX)) {
            return false;
        }
        long expected = 0;
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            int digit = base62Value(candidate.charAt(i));
            if (digit < 0) {
                return false;
            }
            if (i >= CHECKED_LENGTH) {
                expected = expected * ALPHABET.length() + digit;
            }
        }
        return checksum(candidate) == expected;
    }

    /**
     * The non-secret prefix shown in listings and logs: {@code kw_} + the first 8 random characters.
     *
     * @throws IllegalArgumentException when {@code key} is not a well-formed virtual key (the message
     *         does not repeat the value)
     */
    public static String displayPrefix(String key) {
        if (!isWellFormed(key)) {
            throw new IllegalArgumentException("not a well-formed Keywarden virtual key");
        }
        return key.substring(0, DISPLAY_PREFIX_LENGTH);
    }

    /** {@code length} uniformly random base62 characters. */
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

    /** CRC32 over the ASCII of the first {@code kw_} + 32 characters. */
    private static long checksum(CharSequence key) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < CHECKED_LENGTH; i++) {
            crc.update(key.charAt(i));
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

    private static int base62Value(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 36;
        }
        return -1;
    }
}
