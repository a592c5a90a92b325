package dev.keywarden.auth;

import dev.keywarden.format.ChecksummedFormat;

/**
 * The shape of a Keywarden virtual key: {@code kw_} + 32 base62 characters from {@link java.security.SecureRandom}
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
    static final String ALPHABET = ChecksummedFormat.ALPHABET;

    private static final ChecksummedFormat FORMAT = ChecksummedFormat.VIRTUAL_KEY;

    private VirtualKeyFormat() {
    }

    /** A new random virtual key. */
    public static String generate() {
        return FORMAT.generate();
    }

    /**
     * True when {@code candidate} has the exact length, prefix, alphabet and a matching checksum.
     * Runs without allocating a string and never touches any store.
     */
    public static boolean isWellFormed(String candidate) {
        return FORMAT.isWellFormed(candidate);
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
        return ChecksummedFormat.randomBase62(length);
    }

}
