package dev.keywarden.format;

/**
 * The shape of a Keywarden admin API token: {@code kwadm_} + 43 base62 characters from
 * {@link java.security.SecureRandom} (256 bits) + 6 base62 characters of the CRC32 of everything
 * before them, 55 characters in all.
 *
 * <p>As with virtual keys, the prefix lets secret scanners (and the pre-commit hook) find a leaked
 * token and the checksum lets them tell a real token from a lookalike offline. Tokens issued before
 * the checksum existed ({@code kwadm_} + 43 base64url characters) still work at the admin API; only
 * their offline check is weaker (see {@link #isLegacyShaped}).
 *
 * <p>Lives in {@code format}, beside {@link ChecksummedFormat}, because the secret scanner checks this
 * shape too and must not depend on the credential services.
 */
public final class AdminTokenFormat {

    /** Every admin token starts with this. */
    public static final String PREFIX = "kwadm_";
    /** Total length of a checksummed admin token. */
    public static final int LENGTH = 55;
    /** Length of the non-secret display prefix: {@code kwadm_} + 8 characters. */
    public static final int DISPLAY_PREFIX_LENGTH = PREFIX.length() + 8;
    /** Length of a token issued before the checksum: {@code kwadm_} + 43 base64url characters (256 bits). */
    static final int LEGACY_LENGTH = PREFIX.length() + 43;

    private static final ChecksummedFormat FORMAT = new ChecksummedFormat(PREFIX, 43, 6);

    private AdminTokenFormat() {
    }

    /** A new random admin token. */
    public static String generate() {
        return FORMAT.generate();
    }

    /** True when {@code candidate} has the exact length, prefix, alphabet and a matching checksum; touches no store. */
    public static boolean isWellFormed(String candidate) {
        return FORMAT.isWellFormed(candidate);
    }

    /** True when {@code candidate} has the shape of a token issued before the checksum (no offline check possible). */
    public static boolean isLegacyShaped(String candidate) {
        if (candidate == null || candidate.length() != LEGACY_LENGTH || !candidate.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LEGACY_LENGTH; i++) {
            char c = candidate.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The non-secret prefix shown in listings: {@code kwadm_} + the first 8 random characters.
     *
     * @throws IllegalArgumentException when {@code token} is not well formed (the message does not repeat it)
     */
    public static String displayPrefix(String token) {
        if (!isWellFormed(token)) {
            throw new IllegalArgumentException("not a well-formed Keywarden admin token");
        }
        return token.substring(0, DISPLAY_PREFIX_LENGTH);
    }
}
