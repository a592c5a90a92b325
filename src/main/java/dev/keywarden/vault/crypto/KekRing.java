package dev.keywarden.vault.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The versioned key-encryption keys of an unsealed vault. Each version is a Tink AES-256-GCM
 * keyset, stored encrypted under the provider's root key (local keyset, passphrase-derived key or
 * KMS key) in {@link KekRingFile}; data keys are wrapped by the {@linkplain #currentVersion()
 * current} version and unwrapped by whichever version wrapped them.
 *
 * <p>Guarantees: {@link #rotate()} adds a new current version and keeps the old ones for
 * unwrapping; {@link #retire(int)} forgets a non-current version for good (records still on it
 * no longer open, so the caller first re-wraps them and checks that none is left); every change is
 * written to the ring file atomically before it takes effect. Thread-safe.
 */
public final class KekRing {

    private static final byte[] VERIFIER_PLAINTEXT = "keywarden key ring verifier v1".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final Aead root;
    private final String kekId;
    private volatile Snapshot snapshot;

    private record Snapshot(KekRingFile.State state, Map<Integer, Aead> aeads) {
    }

    private KekRing(Path file, Aead root, KekRingFile.State state, Map<Integer, Aead> aeads) {
        this.file = file;
        this.root = root;
        this.kekId = state.provider() + ":" + state.ringId();
        this.snapshot = new Snapshot(state, Map.copyOf(aeads));
    }

    /**
     * Opens the existing ring in {@code file} with {@code root}. Never creates one: only
     * {@link #create} does (through {@code keywarden vault init}).
     *
     * @param wrongKey what to tell the operator when {@code root} is not the key the ring was made
     *                 with (e.g. "wrong passphrase")
     * @throws VaultNotInitializedException when there is no ring file
     */
    static KekRing unlock(Path file, String provider, Aead root, String wrongKey) {
        Aeads.init();
        KekRingFile.State state = KekRingFile.read(file).orElseThrow(() -> VaultNotInitializedException.at(file));
        if (!state.provider().equals(provider)) {
            throw new VaultException("vault.kek is " + provider + " but the key ring " + file + " was created with vault.kek "
                    + state.provider() + ": set vault.kek back to " + state.provider()
                    + " (changing the KEK provider of an existing vault is not supported)");
        }
        return open(file, root, state, wrongKey);
    }

    /**
     * Creates a new ring (version 1) in {@code file}, sealed under {@code root}.
     *
     * @throws VaultException when a ring already exists there (a vault is never replaced)
     */
    static KekRing create(Path file, String provider, Aead root, Optional<KekRingFile.Kdf> kdf) {
        Aeads.init();
        KekRingFile.State fresh = newRing(provider, root, kdf);
        if (!KekRingFile.create(file, fresh)) {
            throw new VaultException("a vault already exists: the key ring " + file + " is there; it was not changed"
                    + " (`keywarden vault status` shows it)");
        }
        return open(file, root, fresh, "the new key ring does not open");
    }

    private static KekRing open(Path file, Aead root, KekRingFile.State state, String wrongKey) {
        try {
            byte[] check = root.decrypt(state.verifier(), verifierAad(state.ringId()));
            if (!MessageDigest.isEqual(check, VERIFIER_PLAINTEXT)) {
                throw new VaultException(wrongKey);
            }
        } catch (KmsUnavailableException e) {
            throw new VaultException(e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new VaultException(wrongKey);
        }
        Map<Integer, Aead> aeads = new HashMap<>();
        for (KekRingFile.StoredVersion v : state.versions()) {
            aeads.put(v.version(), decryptVersion(file, root, state.ringId(), v));
        }
        if (!aeads.containsKey(state.current())) {
            throw new VaultException("the key ring " + file + " names current KEK version " + state.current()
                    + " but does not hold it: the file was altered; restore it from backup");
        }
        return new KekRing(file, root, state, aeads);
    }

    private static KekRingFile.State newRing(String provider, Aead root, Optional<KekRingFile.Kdf> kdf) {
        String ringId = HexFormat.of().formatHex(Aeads.random(8));
        try {
            byte[] verifier = root.encrypt(VERIFIER_PLAINTEXT, verifierAad(ringId));
            KekRingFile.StoredVersion v1 = newVersion(root, ringId, 1);
            return new KekRingFile.State(provider, ringId, kdf, verifier, 1, List.of(v1));
        } catch (KmsUnavailableException e) {
            throw new VaultException(e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot create a new key ring with vault.kek " + provider + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static KekRingFile.StoredVersion newVersion(Aead root, String ringId, int version) throws GeneralSecurityException {
        KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        String encrypted = TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(handle, root, versionAad(ringId, version));
        return new KekRingFile.StoredVersion(version, Instant.now(), encrypted);
    }

    private static Aead decryptVersion(Path file, Aead root, String ringId, KekRingFile.StoredVersion v) {
        try {
            KeysetHandle handle = TinkJsonProtoKeysetFormat.parseEncryptedKeyset(v.encryptedKeyset(), root, versionAad(ringId, v.version()));
            return handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (KmsUnavailableException e) {
            throw new VaultException(e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new VaultException("KEK version " + v.version() + " in the key ring " + file
                    + " does not open or was altered: restore the file from backup");
        }
    }

    private static byte[] verifierAad(String ringId) {
        return Aeads.aad("keywarden/kek-ring/verifier", ringId);
    }

    private static byte[] versionAad(String ringId, int version) {
        return Aeads.aad("keywarden/kek-ring/version", ringId, Integer.toString(version));
    }

    /** {@code provider:ringId}, e.g. {@code passphrase:3fa9c01b22d4e5f6}; stored in every {@link SealedSecret}. */
    public String kekId() {
        return kekId;
    }

    public int currentVersion() {
        return snapshot.state().current();
    }

    /** The versions that can still unwrap data keys (current included), ascending. */
    public SortedSet<Integer> versions() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(snapshot.aeads().keySet()));
    }

    /** The ring file this ring persists to. */
    public Path file() {
        return file;
    }

    /**
     * Adds a new KEK version and makes it current; older versions stay for unwrapping until
     * {@linkplain #retire(int) retired}.
     *
     * @return the new version number
     */
    public synchronized int rotate() {
        Snapshot s = snapshot;
        int next = s.state().versions().stream().mapToInt(KekRingFile.StoredVersion::version).max().orElse(0) + 1;
        KekRingFile.StoredVersion v;
        Aead aead;
        try {
            v = newVersion(root, s.state().ringId(), next);
            aead = decryptVersion(file, root, s.state().ringId(), v);
        } catch (KmsUnavailableException e) {
            throw new VaultException(e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot create KEK version " + next + " (" + e.getClass().getSimpleName() + ")", e);
        }
        List<KekRingFile.StoredVersion> versions = new ArrayList<>(s.state().versions());
        versions.add(v);
        KekRingFile.State state = s.state().withVersions(next, versions);
        KekRingFile.replace(file, state);
        Map<Integer, Aead> aeads = new HashMap<>(s.aeads());
        aeads.put(next, aead);
        snapshot = new Snapshot(state, Map.copyOf(aeads));
        return next;
    }

    /**
     * Forgets KEK {@code version} permanently. The caller must first re-wrap every record on it
     * ({@link SecretCipher#rewrap}) and check that none is left: a record still on a retired version
     * no longer opens.
     *
     * @throws IllegalArgumentException when {@code version} is current or unknown
     */
    public synchronized void retire(int version) {
        Snapshot s = snapshot;
        if (version == s.state().current()) {
            throw new IllegalArgumentException("KEK version " + version + " is current and cannot be retired: rotate first");
        }
        if (!s.aeads().containsKey(version)) {
            throw new IllegalArgumentException("KEK version " + version + " is not in the key ring (versions " + versions() + ")");
        }
        List<KekRingFile.StoredVersion> versions = new ArrayList<>(s.state().versions());
        versions.removeIf(v -> v.version() == version);
        KekRingFile.State state = s.state().withVersions(s.state().current(), versions);
        KekRingFile.replace(file, state);
        Map<Integer, Aead> aeads = new HashMap<>(s.aeads());
        aeads.remove(version);
        snapshot = new Snapshot(state, Map.copyOf(aeads));
    }

    Aead current() {
        Snapshot s = snapshot;
        return s.aeads().get(s.state().current());
    }

    Optional<Aead> version(int version) {
        return Optional.ofNullable(snapshot.aeads().get(version));
    }

    /** True when {@code version} was once part of this ring (it is below the highest version) but is gone now. */
    boolean wasRetired(int version) {
        Snapshot s = snapshot;
        int max = s.state().versions().stream().mapToInt(KekRingFile.StoredVersion::version).max().orElse(0);
        return version >= 1 && version <= max && !s.aeads().containsKey(version);
    }

    /** Drops every reference to key material (Tink keeps its own copies; they become unreachable). */
    void destroy() {
        snapshot = new Snapshot(snapshot.state(), Map.of());
    }

    @Override
    public String toString() {
        return "KekRing[" + kekId + ", current v" + currentVersion() + ", versions " + versions() + "]";
    }
}
