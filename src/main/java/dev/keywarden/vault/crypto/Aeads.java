package dev.keywarden.vault.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/** Small helpers around Tink: raw AES-256-GCM keys, associated data, randomness. */
final class Aeads {

    static final int DATA_KEY_BYTES = 32;
    static final SecureRandom RANDOM = new SecureRandom();

    private static final AesGcmParameters AES256_GCM_RAW;

    static {
        try {
            AeadConfig.register();
            AES256_GCM_RAW = AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12).setTagSizeBytes(16)
                    .setVariant(AesGcmParameters.Variant.NO_PREFIX).build();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Aeads() {
    }

    static void init() {
        // forces the static initializer (Tink AEAD registration)
    }

    /** AES-256-GCM (12-byte IV, 16-byte tag, no Tink prefix) over {@code key}; the caller may zero {@code key} afterwards. */
    static Aead aes256Gcm(byte[] key) throws GeneralSecurityException {
        AesGcmKey k = AesGcmKey.builder().setParameters(AES256_GCM_RAW)
                .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get())).build();
        return AesGcmJce.create(k);
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Associated data {@code purpose 0x00 part1 0x00 part2 ...}: a label keeps ciphertexts of one purpose from serving another. */
    static byte[] aad(String purpose, String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(purpose.getBytes(StandardCharsets.UTF_8));
        for (String part : parts) {
            out.write(0);
            out.writeBytes(part.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
