package dev.keywarden.vault;

import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyStore;
import dev.keywarden.store.SettingsStore;
import dev.keywarden.vault.crypto.VaultException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which key ring the store belongs to: the KEK id ({@code provider:ringId}) recorded in the store's
 * settings by {@code keywarden vault init}, so that every process sharing the store (gateways on one
 * PostgreSQL, the CLI) can tell whether its own ring is the one that sealed the stored keys.
 *
 * <p>Guarantees: {@link #verify} refuses, naming both KEK ids and the fix, when the store was claimed
 * by another ring or holds keys sealed by another ring; a store from before the identity was recorded
 * is claimed by the first ring that opens all its keys. {@link #claim} is first-writer-wins across
 * processes ({@code INSERT … ON CONFLICT DO NOTHING}).
 */
public final class VaultIdentity {

    /** The settings row that holds the KEK id. */
    static final String SETTING = "vault.kek_id";

    private final SettingsStore settings;
    private final ProviderKeyStore keys;
    private final String storeName;

    /**
     * @param storeName where the store is, for messages (a data directory or a PostgreSQL URL without password)
     */
    public VaultIdentity(SettingsStore settings, ProviderKeyStore keys, String storeName) {
        this.settings = settings;
        this.keys = keys;
        this.storeName = storeName;
    }

    /** The KEK id recorded in the store, if a vault was registered there. */
    public Optional<String> recorded() {
        return settings.get(SETTING);
    }

    /**
     * Refuses unless {@code kekId} is the store's ring (recording it when the store has none yet and
     * holds no key sealed by another ring).
     *
     * @param ringFile this process's ring file, for the message
     * @throws VaultMismatchException naming both KEK ids and the fix
     */
    public void verify(String kekId, Path ringFile) {
        String other = recorded().orElse(null);
        if (other == null) {
            Optional<String> foreign = foreignSealer(kekId);
            other = foreign.isPresent() ? foreign.get() : claim(kekId);
        }
        if (!other.equals(kekId)) {
            throw mismatch(kekId, other, ringFile);
        }
    }

    /**
     * Registers a new ring ({@code vault init}): refused when the store already belongs to a ring or
     * holds keys sealed by one.
     */
    public void requireUnclaimed(String action) {
        Optional<String> other = recorded().or(() -> foreignSealer(null));
        if (other.isPresent()) {
            throw new VaultException("the store " + storeName + " already belongs to the vault with KEK " + other.get()
                    + ", so " + action + " would make a second one that cannot open its keys: copy the vault directory"
                    + " (kek-ring.json, and local-kek.json for vault.kek local) from an instance that opens them into this"
                    + " instance's data directory instead (README \"Shared mode\")");
        }
    }

    /**
     * Records {@code kekId} as the store's ring.
     *
     * @return the KEK id the store belongs to now: {@code kekId}, or another process's if it claimed first
     */
    public String claim(String kekId) {
        return settings.putIfAbsent(SETTING, kekId);
    }

    private Optional<String> foreignSealer(String kekId) {
        Set<String> sealers = new TreeSet<>();
        for (ProviderKeyRecord r : keys.list()) {
            sealers.add(r.sealed().kekId());
        }
        if (kekId != null) {
            sealers.remove(kekId);
        }
        return sealers.stream().findFirst();
    }

    private VaultMismatchException mismatch(String mine, String stored, Path ringFile) {
        return new VaultMismatchException("this instance's KEK is " + mine + " (key ring " + ringFile.toAbsolutePath().normalize()
                + ") but the provider keys in " + storeName + " are sealed under KEK " + stored
                + ", so none of them would open: stop this instance, replace its vault directory with a copy of the one from an"
                + " instance whose `keywarden vault status` shows KEK " + stored + " (and the same vault.kek and passphrase or"
                + " KMS key), then start it again; do not run `keywarden vault init` here");
    }

    /** This process's key ring is not the one that sealed the stored keys. */
    public static final class VaultMismatchException extends VaultException {
        VaultMismatchException(String message) {
            super(message);
        }
    }
}
