package dev.keywarden.format;

import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * A credential shape: a fixed prefix, {@code randomLength} base62 characters from {@link SecureRandom},
 * then {@code checksumLength} base62 characters of the CRC32 of everything before them (as GitHub's
 * tokens): scanners find leaked credentials by the prefix and tell a real one from a typo offline by
 * the checksum. Shared by virtual keys ({@code kw_}) and short-lived tokens ({@code kw_tmp_}).
 *
 * <p>Lives outside {@code auth} because the secret scanner checks these shapes too, and the
 * scanner must not depend on the credential services.
 *
 * <p>Guarantees: {@link #generate} draws every random character uniformly from {@code SecureRandom};
 * {@link #isWellFormed} allocates nothing and touches no store. Immutable and thread-safe.
 */
public final class ChecksummedFormat {

    public static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** A Keywarden virtual key: {@code kw_} + 32 random + 6 checksum characters (see {@code auth.VirtualKeyFormat}). */
    public static final ChecksummedFormat VIRTUAL_KEY = new ChecksummedFormat("kw_", 32, 6);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String prefix;
    private final int checkedLength;
    private final int length;

    public ChecksummedFormat(String prefix, int randomLength, int checksumLength) {
        this.prefix = prefix;
        this.checkedLength = prefix.length() + randomLength;
        this.length = checkedLength + checksumLength;
    }

    /** Total length of a credential of this shape. */
    public int length() {
        return length;
    }

    /** A new random credential. */
    public String generate() {
        StringBuilder out = new StringBuilder(length).append(prefix);
        appendRandom(out, checkedLength - prefix.length());
        long value = checksum(out);
        char[] digits = new char[length - checkedLength];
        for (int i = digits.length - 1; i >= 0; i--) {
            digits[i] = ALPHABET.charAt((int) (value % ALPHABET.length()));
            value /= ALPHABET.length();
        }
        return out.append(digits).toString();
    }

    /** True when {@code candidate} has the exact length, prefix, alphabet and a matching checksum. */
    public boolean isWellFormed(String candidate) {
        if (candidate == null || candidate.length() != length || !candidate.startsWith(prefix)) {
            return false;
        }
        long expected = 0;
        for (int i = prefix.length(); i < length; i++) {
            int digit = base62Value(candidate.charAt(i));
            if (digit < 0) {
                return false;
            }
            if (i >= checkedLength) {
                expected = expected * ALPHABET.length() + digit;
            }
        }
        return checksum(candidate) == expected;
    }

    /** {@code length} uniformly random base62 characters (for ids). */
    public static String randomBase62(int length) {
        StringBuilder out = new StringBuilder(length);
        appendRandom(out, length);
        return out.toString();
    }

    private static void appendRandom(StringBuilder out, int count) {
        for (int i = 0; i < count; i++) {
            out.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
    }

    /** CRC32 over the characters before the checksum. */
    private long checksum(CharSequence credential) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < checkedLength; i++) {
            crc.update(credential.charAt(i));
        }
        return crc.getValue();
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
