package dev.keywarden.vault.crypto;

/**
 * Argon2id cost parameters for deriving a KEK from a passphrase.
 *
 * <p>Guarantee: an instance is never weaker than OWASP's minimum recommendation for Argon2id
 * (19 MiB of memory, 2 iterations, parallelism 1); the constructor rejects anything below it, so
 * parameters read back from a tampered key-ring file cannot downgrade the derivation.
 *
 * @param memoryKib   memory cost in KiB (at least {@value #MIN_MEMORY_KIB})
 * @param iterations  time cost (at least {@value #MIN_ITERATIONS})
 * @param parallelism lanes (at least {@value #MIN_PARALLELISM})
 */
public record Argon2idParams(int memoryKib, int iterations, int parallelism) {

    /** 19 MiB. */
    public static final int MIN_MEMORY_KIB = 19 * 1024;
    public static final int MIN_ITERATIONS = 2;
    public static final int MIN_PARALLELISM = 1;

    /** OWASP's minimum for Argon2id: m=19 MiB, t=2, p=1. */
    public static final Argon2idParams OWASP_MINIMUM = new Argon2idParams(MIN_MEMORY_KIB, MIN_ITERATIONS, MIN_PARALLELISM);

    /** What a new passphrase vault uses. */
    public static final Argon2idParams DEFAULT = OWASP_MINIMUM;

    public Argon2idParams {
        if (memoryKib < MIN_MEMORY_KIB || iterations < MIN_ITERATIONS || parallelism < MIN_PARALLELISM) {
            throw new VaultException("Argon2id parameters m=" + memoryKib + " KiB, t=" + iterations + ", p=" + parallelism
                    + " are below the minimum m=" + MIN_MEMORY_KIB + " KiB, t=" + MIN_ITERATIONS + ", p=" + MIN_PARALLELISM
                    + ": the key ring file was altered or written by an unsupported version");
        }
    }
}
