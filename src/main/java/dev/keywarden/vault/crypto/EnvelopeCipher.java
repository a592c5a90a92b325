package dev.keywarden.vault.crypto;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Envelope encryption of provider keys: every {@link #seal} draws a fresh AES-256-GCM data key
 * (Tink primitive, {@link java.security.SecureRandom}), encrypts the secret with it under
 * associated data {@code "keywarden/secret" + record id}, and wraps the data key with the
 * current KEK version under associated data {@code "keywarden/data-key" + record id}.
 *
 * <p>Guarantees: a sealed secret opens only for the record id it was sealed for and only with the
 * KEK version named in it; a changed byte in either ciphertext, a moved record, a foreign or
 * retired KEK each fail with a {@link VaultException} naming the record and the reason, never key
 * bytes or plaintext; {@link #rewrap} re-wraps only the data key (the secret is never decrypted);
 * while the vault is sealed every operation throws {@link VaultSealedException}. Thread-safe.
 */
public final class EnvelopeCipher implements SecretCipher {

    static final String SECRET_PURPOSE = "keywarden/secret";
    static final String DATA_KEY_PURPOSE = "keywarden/data-key";

    private final Supplier<KekRing> ring;
    private final java.util.function.BooleanSupplier sealed;

    /** A cipher over {@code seal}'s key ring; follows it through seal and unseal. */
    public EnvelopeCipher(VaultSeal seal) {
        this(seal::ring, seal::isSealed);
    }

    EnvelopeCipher(Supplier<KekRing> ring, java.util.function.BooleanSupplier sealed) {
        this.ring = ring;
        this.sealed = sealed;
    }

    @Override
    public SealedSecret seal(String recordId, byte[] plaintext) {
        requireRecordId(recordId);
        Objects.requireNonNull(plaintext, "plaintext");
        KekRing r = ring.get();
        int version = r.currentVersion();
        Aead kek = r.version(version).orElseThrow(() -> new VaultSealedException(VaultSeal.SEALED_MESSAGE));
        byte[] dataKey = Aeads.random(Aeads.DATA_KEY_BYTES);
        try {
            byte[] ciphertext = Aeads.aes256Gcm(dataKey).encrypt(plaintext, Aeads.aad(SECRET_PURPOSE, recordId));
            byte[] wrapped = kek.encrypt(dataKey, Aeads.aad(DATA_KEY_PURPOSE, recordId));
            return new SealedSecret(r.kekId(), version, wrapped, ciphertext);
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot seal record " + recordId + " (" + e.getClass().getSimpleName() + ")");
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public byte[] open(String recordId, SealedSecret sealed) {
        requireRecordId(recordId);
        KekRing r = ring.get();
        byte[] dataKey = unwrap(r, recordId, sealed);
        try {
            return Aeads.aes256Gcm(dataKey).decrypt(sealed.ciphertext(), Aeads.aad(SECRET_PURPOSE, recordId));
        } catch (GeneralSecurityException e) {
            throw new VaultException(notOurs(recordId, "the secret did not open under its data key"));
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public SealedSecret rewrap(String recordId, SealedSecret sealed) {
        requireRecordId(recordId);
        KekRing r = ring.get();
        int current = r.currentVersion();
        if (sealed.kekId().equals(r.kekId()) && sealed.kekVersion() == current) {
            return sealed;
        }
        byte[] dataKey = unwrap(r, recordId, sealed);
        try {
            Aead kek = r.version(current).orElseThrow(() -> new VaultSealedException(VaultSeal.SEALED_MESSAGE));
            byte[] wrapped = kek.encrypt(dataKey, Aeads.aad(DATA_KEY_PURPOSE, recordId));
            return new SealedSecret(r.kekId(), current, wrapped, sealed.ciphertext());
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot re-wrap record " + recordId + " (" + e.getClass().getSimpleName() + ")");
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public boolean sealed() {
        return sealed.getAsBoolean();
    }

    private static byte[] unwrap(KekRing r, String recordId, SealedSecret sealed) {
        Objects.requireNonNull(sealed, "sealed");
        if (!sealed.kekId().equals(r.kekId())) {
            throw new VaultException("record " + recordId + " was sealed under KEK '" + sealed.kekId() + "' but this vault's KEK is '"
                    + r.kekId() + "' (wrong KEK): open it with the vault it was sealed in, or import the key again");
        }
        Aead kek = r.version(sealed.kekVersion()).orElseThrow(() -> new VaultException(r.wasRetired(sealed.kekVersion())
                ? "record " + recordId + " is wrapped by KEK version " + sealed.kekVersion()
                        + ", which was retired: import the key again (run `keywarden vault rewrap` before retiring a version)"
                : notOurs(recordId, "it names KEK version " + sealed.kekVersion() + ", which this key ring never had")));
        try {
            byte[] dataKey = kek.decrypt(sealed.wrappedDataKey(), Aeads.aad(DATA_KEY_PURPOSE, recordId));
            if (dataKey.length != Aeads.DATA_KEY_BYTES) {
                Arrays.fill(dataKey, (byte) 0);
                throw new VaultException(notOurs(recordId, "the data key has the wrong length"));
            }
            return dataKey;
        } catch (GeneralSecurityException e) {
            throw new VaultException(notOurs(recordId, "the wrapped data key did not open under KEK " + r.kekId()
                    + " v" + sealed.kekVersion()));
        }
    }

    private static String notOurs(String recordId, String reason) {
        return "ciphertext does not belong to record " + recordId + " or was altered (" + reason + ")";
    }

    private static void requireRecordId(String recordId) {
        if (recordId == null || recordId.isBlank()) {
            throw new IllegalArgumentException("record id is required to seal or open a secret (it binds the ciphertext)");
        }
    }
}
