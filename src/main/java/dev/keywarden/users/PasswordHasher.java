package dev.keywarden.users;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.CharBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hashes and checks passwords with Argon2id (Bouncy Castle, version 1.3).
 *
 * <p>Guarantees: every hash gets its own 128-bit salt from {@link SecureRandom}; the result is a PHC string
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}) that carries its parameters, so they can be raised later
 * ({@link #needsRehash}) without breaking stored hashes; parameters below OWASP's minimum (m=19 MiB, t=2, p=1) are
 * refused both for new hashes and when read back; {@link #verify} compares in constant time; {@link #verifyDummy} does
 * the same work as a real check, so a caller can answer an unknown user in the time a wrong password takes. Passwords
 * are normalised to Unicode NFKC before hashing and are never logged or put in an exception message.
 */
public final class PasswordHasher {

    /** Argon2id costs: memory in KiB, iterations, lanes. */
    public record Params(int memoryKib, int iterations, int parallelism) {
        /** OWASP's minimum for Argon2id. */
        public static final Params OWASP_MINIMUM = new Params(19 * 1024, 2, 1);

        boolean belowMinimum() {
            return memoryKib < OWASP_MINIMUM.memoryKib || iterations < OWASP_MINIMUM.iterations || parallelism < 1;
        }

        boolean weakerThan(Params other) {
            return memoryKib < other.memoryKib || iterations < other.iterations || parallelism < other.parallelism;
        }
    }

    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,4}),p=(\\d{1,3})\\$([A-Za-z0-9+/]{16,})\\$([A-Za-z0-9+/]{16,})");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final Params params;
    private final SecureRandom random = new SecureRandom();
    private final String dummy;

    /** @throws IllegalArgumentException when {@code params} are below OWASP's minimum */
    public PasswordHasher(Params params) {
        if (params.belowMinimum()) {
            throw new IllegalArgumentException("Argon2id parameters m=" + params.memoryKib() + " KiB, t=" + params.iterations()
                    + ", p=" + params.parallelism() + " are below OWASP's minimum m=19456 KiB, t=2, p=1");
        }
        this.params = params;
        char[] throwaway = new char[24];
        for (int i = 0; i < throwaway.length; i++) {
            throwaway[i] = (char) ('a' + random.nextInt(26));
        }
        this.dummy = hash(throwaway);
    }

    /** A hasher with OWASP's minimum parameters. */
    public static PasswordHasher owaspMinimum() {
        return new PasswordHasher(Params.OWASP_MINIMUM);
    }

    public Params params() {
        return params;
    }

    /** A PHC string for {@code password} under a fresh salt and this hasher's parameters. */
    public String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] out = derive(password, salt, params, HASH_BYTES);
        try {
            return "$argon2id$v=19$m=" + params.memoryKib() + ",t=" + params.iterations() + ",p=" + params.parallelism()
                    + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }

    /**
     * Whether {@code password} matches {@code encoded}. A malformed or too weak stored hash never matches (and
     * still costs one derivation, so the answer takes as long as a real check).
     */
    public boolean verify(char[] password, String encoded) {
        Matcher m = encoded == null ? null : PHC.matcher(encoded);
        if (m == null || !m.matches()) {
            verifyDummy(password);
            return false;
        }
        Params stored = new Params(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        byte[] salt;
        byte[] expected;
        try {
            salt = B64D.decode(m.group(4));
            expected = B64D.decode(m.group(5));
        } catch (IllegalArgumentException e) {
            verifyDummy(password);
            return false;
        }
        if (stored.belowMinimum() || salt.length < SALT_BYTES || expected.length < 16 || expected.length > 64
                || stored.memoryKib() > 4 * 1024 * 1024 || stored.iterations() > 100 || stored.parallelism() > 64) {
            verifyDummy(password);
            return false;
        }
        byte[] actual = derive(password, salt, stored, expected.length);
        try {
            return MessageDigest.isEqual(actual, expected);
        } finally {
            Arrays.fill(actual, (byte) 0);
        }
    }

    /** Checks {@code password} against a hash no password matches: the same work as {@link #verify}, always false. */
    public void verifyDummy(char[] password) {
        Matcher m = PHC.matcher(dummy);
        if (m.matches()) {
            byte[] actual = derive(password, B64D.decode(m.group(4)), params, HASH_BYTES);
            MessageDigest.isEqual(actual, B64D.decode(m.group(5)));
            Arrays.fill(actual, (byte) 0);
        }
    }

    /** Whether {@code encoded} was made with weaker parameters than this hasher's (re-hash at the next sign-in). */
    public boolean needsRehash(String encoded) {
        Matcher m = encoded == null ? null : PHC.matcher(encoded);
        if (m == null || !m.matches()) {
            return true;
        }
        return new Params(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))).weakerThan(params);
    }

    private static byte[] derive(char[] password, byte[] salt, Params p, int length) {
        String normalized = Normalizer.normalize(CharBuffer.wrap(password), Normalizer.Form.NFKC);
        Argon2Parameters.Builder builder = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(p.memoryKib())
                .withIterations(p.iterations())
                .withParallelism(p.parallelism());
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(builder.build());
        byte[] out = new byte[length];
        char[] chars = normalized.toCharArray();
        try {
            generator.generateBytes(chars, out);
        } finally {
            Arrays.fill(chars, '\0');
            builder.clear();
        }
        return out;
    }

    @Override
    public String toString() {
        return "PasswordHasher[argon2id m=" + params.memoryKib() + " KiB, t=" + params.iterations() + ", p=" + params.parallelism() + "]";
    }
}
