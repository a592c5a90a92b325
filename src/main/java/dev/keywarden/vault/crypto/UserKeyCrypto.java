package dev.keywarden.vault.crypto;

import com.google.crypto.tink.subtle.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The primitives that keep a user's own key (BYOK) outside the vault's KEK: AES-256-GCM under a key the
 * server does not keep, derived either from a passphrase (Argon2id, Bouncy Castle) or from a browser
 * session's secret (HKDF-SHA256, Tink). Every ciphertext is bound by associated data to a purpose label
 * and the parts the caller names (user id, key id, session id), so one cannot stand in for another.
 *
 * <p>Guarantees: a wrong key, a changed byte or other associated data fail with {@link VaultException}
 * whose message names only the purpose, never key material or plaintext; derived keys are 32 bytes and
 * the caller zeroes them after use; random values come from {@link java.security.SecureRandom}.
 */
public final class UserKeyCrypto {

    /** Bytes of a derived or random key. */
    public static final int KEY_BYTES = 32;
    /** Bytes of a passphrase salt. */
    public static final int SALT_BYTES = PassphraseKdf.SALT_BYTES;

    private UserKeyCrypto() {
    }

    /** {@code n} bytes from {@link java.security.SecureRandom}. */
    public static byte[] random(int n) {
        return Aeads.random(n);
    }

    /** A 256-bit key from {@code passphrase} with Argon2id ({@code params} never below OWASP's minimum). */
    public static byte[] passphraseKey(char[] passphrase, byte[] salt, Argon2idParams params) {
        return PassphraseKdf.derive(passphrase, salt, params);
    }

    /** A 256-bit key from high-entropy input {@code secret} (e.g. a session id of 190 random bits) with HKDF-SHA256. */
    public static byte[] derivedKey(byte[] secret, String info) {
        try {
            return Hkdf.computeHkdf("HMACSHA256", secret, new byte[0], info.getBytes(StandardCharsets.UTF_8), KEY_BYTES);
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot derive a key (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** AES-256-GCM of {@code plaintext} under {@code key}, bound to {@code purpose} and {@code parts}. */
    public static byte[] seal(byte[] key, byte[] plaintext, String purpose, String... parts) {
        requireKey(key);
        try {
            return Aeads.aes256Gcm(key).encrypt(plaintext, Aeads.aad(purpose, parts));
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot encrypt a " + purpose + " secret (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The plaintext sealed by {@link #seal} with the same key, purpose and parts; {@link VaultException} otherwise. */
    public static byte[] open(byte[] key, byte[] ciphertext, String purpose, String... parts) {
        requireKey(key);
        try {
            return Aeads.aes256Gcm(key).decrypt(ciphertext, Aeads.aad(purpose, parts));
        } catch (GeneralSecurityException e) {
            throw new VaultException("the " + purpose + " secret did not open: wrong key, or the ciphertext was altered or moved");
        }
    }

    /** Overwrites {@code secret} with zeros (null allowed). */
    public static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static void requireKey(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a " + KEY_BYTES + "-byte key is required");
        }
    }
}
