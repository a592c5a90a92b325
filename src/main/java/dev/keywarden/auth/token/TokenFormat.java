package dev.keywarden.auth.token;

import dev.keywarden.format.ChecksummedFormat;


/**
 * The shape of a short-lived token: {@code kw_tmp_} + 32 base62 characters from {@link java.security.SecureRandom}
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
    static final String ALPHABET = ChecksummedFormat.ALPHABET;

    private static final ChecksummedFormat FORMAT = new ChecksummedFormat(PREFIX, RANDOM_LENGTH, CHECKSUM_LENGTH);

    private TokenFormat() {
    }

    /** A new random token. */
    public static String generate() {
        return FORMAT.generate();
    }

    /** True when {@code candidate} has the exact length, prefix, alphabet and a matching checksum. Touches no store. */
    public static boolean isWellFormed(String candidate) {
        return FORMAT.isWellFormed(candidate);
    }

    /** Whether {@code presented} claims to be a token (starts with {@code kw_tmp_}), well formed or not. */
    public static boolean looksLikeToken(String presented) {
        return presented != null && presented.strip().startsWith(PREFIX);
    }

    /** {@code length} uniformly random base62 characters (for ids). */
    static String randomBase62(int length) {
        return ChecksummedFormat.randomBase62(length);
    }

}
