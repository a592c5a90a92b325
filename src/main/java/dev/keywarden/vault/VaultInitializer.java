package dev.keywarden.vault;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.store.Database;
import dev.keywarden.store.ProviderKeyStore;
import dev.keywarden.store.SettingsStore;
import dev.keywarden.vault.crypto.PassphraseStrength;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSeal;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code keywarden vault init}: the one way a vault comes into existence. It creates the key ring
 * (KEK version 1) in the data directory under the configured root key and registers its KEK id in
 * the store ({@link VaultIdentity}), so every other process sharing the store can tell whether its
 * ring is the right one.
 *
 * <p>Guarantees: refused, changing nothing, when the data directory already has a vault or the store
 * already belongs to one; a passphrase must pass {@link PassphraseStrength}; when another process
 * registers a vault in the same store at the same moment, the ring made here is removed again and
 * the call fails. A {@code vault.initialized} security event names the KEK id (never key material).
 */
public final class VaultInitializer {

    private VaultInitializer() {
    }

    /** What was created, for the operator's notice. */
    public record Created(String provider, String kekId, int kekVersion, Path ringFile, String rootKey, String store) {
    }

    /**
     * Creates the vault {@code config} describes.
     *
     * @param passphrase the new passphrase ({@code vault.kek passphrase} only; the caller zeroes it)
     * @param env        the process environment (KMS credentials)
     */
    public static Created initialize(KeywardenConfig config, Database db, char[] passphrase, Map<String, String> env,
                                     SecurityEvents events) {
        if (config.vault().kek().equals("passphrase")) {
            PassphraseStrength.requireStrong(passphrase == null ? new char[0] : passphrase);
        }
        VaultIdentity identity = new VaultIdentity(new SettingsStore(db), new ProviderKeyStore(db), db.location());
        identity.requireUnclaimed("`keywarden vault init`");
        VaultSeal seal = VaultSeal.initialize(config.vault(), config.dataDir(), env, passphrase);
        String kekId = seal.ring().kekId();
        String owner = identity.claim(kekId);
        if (!owner.equals(kekId)) {
            seal.discardNewRing();
            throw new VaultException("another instance registered the vault with KEK " + owner + " in " + db.location()
                    + " at the same moment; this one was removed: copy that instance's vault directory here instead");
        }
        Created created = new Created(seal.provider(), kekId, seal.ring().currentVersion(), seal.ringFile().toAbsolutePath().normalize(),
                seal.rootKeyDescription(), db.location());
        seal.seal();
        events.record(SecurityEvent.of("vault.initialized", "vault", Map.of("provider", created.provider(), "kek_id", kekId,
                "key_ring", created.ringFile().toString())));
        return created;
    }
}
