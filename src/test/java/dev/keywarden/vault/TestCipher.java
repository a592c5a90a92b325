package dev.keywarden.vault;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.keywarden.vault.crypto.SealedSecret;
import dev.keywarden.vault.crypto.SecretCipher;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSealedException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only {@link SecretCipher}: Tink AES-256-GCM with the record id as associated data (no real
 * envelope; the "wrapped data key" is random filler). Can be sealed, and counts {@link #open} calls.
 */
final class TestCipher implements SecretCipher {

    private final Aead aead;
    volatile boolean sealed;
    final AtomicInteger opens = new AtomicInteger();

    TestCipher() {
        try {
            AeadConfig.register();
            aead = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
                    .getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public SealedSecret seal(String recordId, byte[] plaintext) {
        checkUnsealed();
        try {
            byte[] filler = new byte[32];
            new SecureRandom().nextBytes(filler);
            return new SealedSecret("test", 1, filler, aead.encrypt(plaintext, recordId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot seal " + recordId, e);
        }
    }

    @Override
    public byte[] open(String recordId, SealedSecret sealed) {
        checkUnsealed();
        opens.incrementAndGet();
        try {
            return aead.decrypt(sealed.ciphertext(), recordId.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new VaultException("provider key " + recordId + " failed to open: ciphertext does not belong to this record or was changed");
        }
    }

    @Override
    public SealedSecret rewrap(String recordId, SealedSecret sealed) {
        checkUnsealed();
        return new SealedSecret(sealed.kekId(), sealed.kekVersion() + 1, sealed.wrappedDataKey().clone(), sealed.ciphertext());
    }

    @Override
    public boolean sealed() {
        return sealed;
    }

    private void checkUnsealed() {
        if (sealed) {
            throw new VaultSealedException("the vault is sealed; unseal it with keywarden vault unseal");
        }
    }
}
