package dev.keywarden.vault.crypto;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** Derives a 256-bit key from a passphrase with Argon2id (Bouncy Castle), version 1.3. */
final class PassphraseKdf {

    static final int SALT_BYTES = 16;
    static final int KEY_BYTES = 32;

    private PassphraseKdf() {
    }

    /** The derived key; the caller zeroes it after use. The passphrase is encoded as UTF-8 without going through a String. */
    static byte[] derive(char[] passphrase, byte[] salt, Argon2idParams params) {
        if (salt.length < SALT_BYTES) {
            throw new VaultException("the passphrase salt is shorter than " + SALT_BYTES + " bytes: the key ring file was altered");
        }
        Argon2Parameters.Builder builder = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(params.memoryKib())
                .withIterations(params.iterations())
                .withParallelism(params.parallelism());
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(builder.build());
        byte[] key = new byte[KEY_BYTES];
        generator.generateBytes(passphrase, key);
        builder.clear();
        return key;
    }
}
