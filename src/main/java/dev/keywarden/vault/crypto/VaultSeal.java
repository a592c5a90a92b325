package dev.keywarden.vault.crypto;

import com.google.crypto.tink.Aead;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.VaultConfig;
import dev.keywarden.vault.crypto.kms.KmsAeads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The vault's seal: holds the {@link KekRing} while unsealed and nothing while sealed.
 *
 * <p>The key ring lives in {@code <data dir>/vault/kek-ring.json} (mode 0600, see
 * {@link KekRingFile}); its KEK versions are encrypted under a root key from the configured
 * provider ({@code vault.kek}):
 * <ul>
 *   <li>{@code local}: a Tink keyset file {@code <data dir>/vault/local-kek.json} (0600),
 *       generated on first run; development only, see {@link #notices()};</li>
 *   <li>{@code passphrase}: Argon2id ({@link Argon2idParams}, random 128-bit salt kept in the ring
 *       file); without a passphrase at start the seal stays sealed until {@link #unseal(char[])};
 *       a wrong passphrase fails at unseal with "wrong passphrase";</li>
 *   <li>{@code vault-transit}, {@code aws-kms}, {@code gcp-kms}: the KMS key encrypts the KEK
 *       versions (one KMS call per version at unseal, none per record).</li>
 * </ul>
 *
 * <p>Guarantees: while sealed, {@link #ring()} and every {@link #cipher()} operation throw
 * {@link VaultSealedException}; {@link #seal()} drops all references to key material and zeroes
 * the derived passphrase key (Tink's internal key copies cannot be zeroed, they become
 * unreachable). One data directory holds one vault; the ring file is not meant to be shared by
 * several running processes that rotate concurrently.
 */
public final class VaultSeal {

    /** The message of every {@link VaultSealedException}. */
    public static final String SEALED_MESSAGE = "vault is sealed: run `keywarden vault unseal`";

    static final String RING_FILE = "kek-ring.json";

    private final String provider;
    private final Path ringFile;
    private final Optional<Argon2idParams> passphraseParams;
    private final Supplier<Aead> rootKey;
    private final String wrongKey;
    private final List<String> notices;
    private final EnvelopeCipher cipher;
    private volatile KekRing ring;

    private VaultSeal(String provider, Path dataDir, Optional<Argon2idParams> passphraseParams, Supplier<Aead> rootKey,
                      String wrongKey, List<String> notices) {
        this.provider = provider;
        this.ringFile = vaultDir(dataDir).resolve(RING_FILE);
        this.passphraseParams = passphraseParams;
        this.rootKey = rootKey;
        this.wrongKey = wrongKey;
        this.notices = new ArrayList<>(notices);
        this.cipher = new EnvelopeCipher(this);
    }

    /**
     * Opens the vault that {@code config} describes: one-line {@link ConfigException}s for missing
     * settings, {@link VaultException} when the KEK cannot open an existing ring. A passphrase vault
     * without {@code vault.passphrase} comes back sealed.
     *
     * @param env the process environment (KMS credentials: {@code VAULT_TOKEN}, {@code AWS_ACCESS_KEY_ID}, ...)
     */
    public static VaultSeal open(VaultConfig config, Path dataDir, Map<String, String> env) {
        Objects.requireNonNull(dataDir, "dataDir");
        String kek = config.kek();
        switch (kek) {
            case "none" -> throw new ConfigException("vault.kek is none, so there is no vault to open: set vault.kek"
                    + " (KEYWARDEN_VAULT_KEK) to local, passphrase, vault-transit, aws-kms or gcp-kms");
            case "local" -> {
                return local(dataDir);
            }
            case "passphrase" -> {
                VaultSeal seal = passphrase(dataDir, Argon2idParams.DEFAULT);
                if (config.passphrase().isPresent()) {
                    char[] chars = config.passphrase().get().reveal().toCharArray();
                    try {
                        seal.unseal(chars);
                    } finally {
                        Arrays.fill(chars, '\0');
                    }
                } else {
                    seal.notices.add("WARN vault.passphrase is not set: the vault starts sealed; run `keywarden vault unseal`");
                }
                return seal;
            }
            case "vault-transit", "aws-kms", "gcp-kms" -> {
                String key = config.kmsKey().filter(k -> !k.isBlank()).orElseThrow(() -> new ConfigException(
                        "vault.kms_key is required when vault.kek is " + kek + ": set KEYWARDEN_VAULT_KMS_KEY to "
                                + KmsAeads.keyExample(kek)));
                Aead root = KmsAeads.create(kek, key, config.kmsEndpoint(), env);
                return kms(dataDir, kek, root, key);
            }
            default -> throw new ConfigException("vault.kek '" + kek + "' is not supported: set vault.kek (KEYWARDEN_VAULT_KEK)"
                    + " to none, local, passphrase, vault-transit, aws-kms or gcp-kms");
        }
    }

    /** A {@code local} vault, unsealed (the keyset file is created on first use). */
    public static VaultSeal local(Path dataDir) {
        Path keyset = vaultDir(dataDir).resolve(LocalKek.FILE_NAME);
        Path ring = vaultDir(dataDir).resolve(RING_FILE);
        VaultSeal seal = new VaultSeal("local", dataDir, Optional.empty(), () -> LocalKek.load(keyset, Files.exists(ring)),
                "wrong KEK: the local KEK file " + keyset + " does not open the key ring " + ring
                        + "; restore the keyset file that belongs to this data directory",
                List.of(LocalKek.notice(keyset)));
        seal.unseal();
        return seal;
    }

    /** A {@code passphrase} vault, sealed until {@link #unseal(char[])}. */
    public static VaultSeal passphrase(Path dataDir, Argon2idParams params) {
        return new VaultSeal("passphrase", dataDir, Optional.of(params), () -> {
            throw new IllegalStateException("a passphrase vault has no fixed root key");
        }, "wrong passphrase: the vault stays sealed", List.of());
    }

    /**
     * A vault whose KEK versions are encrypted by {@code rootAead} (a KMS key), unsealed.
     *
     * @param provider the {@code vault.kek} name recorded in the ring
     * @param keyName  the KMS key, for messages (not secret)
     */
    public static VaultSeal kms(Path dataDir, String provider, Aead rootAead, String keyName) {
        VaultSeal seal = new VaultSeal(provider, dataDir, Optional.empty(), () -> rootAead,
                "wrong KEK: the " + provider + " key " + keyName + " does not open the key ring " + vaultDir(dataDir).resolve(RING_FILE)
                        + "; set vault.kms_key to the key this vault was created with", List.of());
        seal.unseal();
        return seal;
    }

    static Path vaultDir(Path dataDir) {
        return dataDir.resolve("vault");
    }

    /** The cipher bound to this seal; it follows seal and unseal. */
    public SecretCipher cipher() {
        return cipher;
    }

    public boolean isSealed() {
        return ring == null;
    }

    /** The {@code vault.kek} provider name. */
    public String provider() {
        return provider;
    }

    /** Start-up notices for the application log (e.g. the development-only warning of {@code local}). */
    public List<String> notices() {
        return List.copyOf(notices);
    }

    /** The unsealed key ring (rotate, retire, versions). */
    public KekRing ring() {
        KekRing r = ring;
        if (r == null) {
            throw new VaultSealedException(SEALED_MESSAGE);
        }
        return r;
    }

    /**
     * Unseals a passphrase vault. The first unseal of a new data directory creates the vault with
     * this passphrase. The caller should zero {@code passphrase} afterwards.
     *
     * @throws VaultException "wrong passphrase: ..." when it does not open the existing key ring
     */
    public synchronized void unseal(char[] passphrase) {
        Argon2idParams defaults = passphraseParams.orElseThrow(() -> new VaultException(
                "vault.kek is " + provider + ": it unseals without a passphrase"));
        if (passphrase == null || passphrase.length == 0) {
            throw new VaultException("the vault passphrase is empty: enter the passphrase this vault was created with");
        }
        Optional<KekRingFile.State> existing = KekRingFile.read(ringFile);
        KekRingFile.Kdf kdf = existing.flatMap(KekRingFile.State::kdf)
                .orElseGet(() -> new KekRingFile.Kdf(defaults, Aeads.random(PassphraseKdf.SALT_BYTES)));
        if (existing.isPresent() && existing.get().kdf().isEmpty()) {
            throw new VaultException("the key ring " + ringFile + " was created with vault.kek " + existing.get().provider()
                    + ", not passphrase: set vault.kek back to " + existing.get().provider());
        }
        byte[] key = PassphraseKdf.derive(passphrase, kdf.salt(), kdf.params());
        Aead root;
        try {
            root = Aeads.aes256Gcm(key);
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot build the passphrase key (" + e.getClass().getSimpleName() + ")");
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        KekRing opened = KekRing.unlock(ringFile, provider, root, Optional.of(kdf), wrongKey);
        if (ring == null) {
            ring = opened;
        }
    }

    /** Unseals a vault whose root key needs no passphrase (local, KMS); a no-op when already unsealed. */
    public synchronized void unseal() {
        if (passphraseParams.isPresent()) {
            throw new VaultException("vault.kek is passphrase: unseal it with the passphrase (`keywarden vault unseal`)");
        }
        if (ring == null) {
            ring = KekRing.unlock(ringFile, provider, rootKey.get(), Optional.empty(), wrongKey);
        }
    }

    /** Seals the vault: later operations throw {@link VaultSealedException} until unsealed again. */
    public synchronized void seal() {
        KekRing r = ring;
        ring = null;
        if (r != null) {
            r.destroy();
        }
    }

    @Override
    public String toString() {
        return "VaultSeal[" + provider + ", " + (isSealed() ? "sealed" : "unsealed") + "]";
    }
}
