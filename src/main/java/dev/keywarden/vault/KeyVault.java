package dev.keywarden.vault;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.config.Environment;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.store.Database;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.KeyScope;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.store.ProviderKeyStore;
import dev.keywarden.store.SealedColumns;
import dev.keywarden.store.SettingsStore;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSeal;
import dev.keywarden.vault.source.SecretSource;
import dev.keywarden.vault.source.SecretSources;
import dev.keywarden.vault.source.SourceOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Every operation on the provider-key vault in one place, so the admin API and the local CLI do
 * exactly the same thing: list, add from a secret source, rotate, revoke (gracefully or now),
 * activate, re-wrap after a KEK rotation, seal and unseal.
 *
 * <p>Guarantees: no method returns or logs a stored key (records carry fingerprints only); a key
 * read from a source is held as bytes and zeroed once sealed; every change is a security event
 * naming keys by fingerprint; while the vault is sealed, operations that need the KEK fail with
 * {@link dev.keywarden.vault.crypto.VaultSealedException}.
 */
public final class KeyVault implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeyVault.class);

    /** Where a secret comes from at start-up when {@code ANTHROPIC_API_KEY} is set and the vault is on. */
    public static final String ENV_IMPORT_SOURCE = "env:ANTHROPIC_API_KEY";

    private final VaultSeal seal;
    private final VaultIdentity identity;
    private final ProviderKeyStore store;
    private final VaultProviderKeys keys;
    private final KeyRotation rotation;
    private final SecurityEvents events;
    private final Map<String, String> processEnv;
    private final Path workDir;
    private final Environment deployment;
    private volatile Supplier<byte[]> pendingImport;

    private KeyVault(VaultSeal seal, VaultIdentity identity, ProviderKeyStore store, VaultProviderKeys keys, KeyRotation rotation,
                     SecurityEvents events, Map<String, String> processEnv, Path workDir, Environment deployment) {
        this.seal = seal;
        this.identity = identity;
        this.store = store;
        this.keys = keys;
        this.rotation = rotation;
        this.events = events;
        this.processEnv = processEnv;
        this.workDir = workDir;
        this.deployment = deployment;
    }

    /**
     * Opens the existing vault configured by {@code config} on {@code db} (never creates one: that is
     * {@code keywarden vault init}, {@link VaultInitializer}). When it opens unsealed, its KEK must be
     * the one the store belongs to ({@link VaultIdentity}).
     *
     * @throws dev.keywarden.vault.crypto.VaultNotInitializedException when there is no vault
     * @throws VaultIdentity.VaultMismatchException when this ring did not seal the stored keys
     *
     * @param background whether to refresh key states from the store in the background (the
     *                   gateway does, so CLI changes reach it; a one-shot CLI command does not)
     */
    public static KeyVault open(KeywardenConfig config, Database db, SecurityEvents events, UpstreamKeyVerifier verifier,
                                Map<String, String> processEnv, boolean background) {
        VaultSeal seal = VaultSeal.open(config.vault(), config.dataDir(), processEnv);
        ProviderKeyStore store = new ProviderKeyStore(db);
        VaultIdentity identity = new VaultIdentity(new SettingsStore(db), store, db.location());
        if (!seal.isSealed()) {
            try {
                identity.verify(seal.ring().kekId(), seal.ringFile());
            } catch (VaultException e) {
                seal.seal();
                events.record(SecurityEvent.alert("vault.kek_mismatch", "vault", Map.of("provider", seal.provider(),
                        "reason", e.getMessage())));
                throw e;
            }
        }
        VaultProviderKeys.Builder builder = VaultProviderKeys.builder(store, seal.cipher())
                .environment(KeyEnvironment.parse(config.vault().keyEnvironment()))
                .cacheTtl(config.vault().cacheTtl())
                .events(events);
        if (!background) {
            builder.noBackgroundRefresh();
        }
        VaultProviderKeys keys = builder.start();
        KeyRotation rotation = keys.rotation(verifier);
        KeyVault vault = new KeyVault(seal, identity, store, keys, rotation, events, Map.copyOf(processEnv),
                Path.of("").toAbsolutePath(), config.environment());
        if (background) {
            // the serving gateway says how it starts (sealed, development-only KEK); a one-shot CLI command would only
            // repeat it on every run, and asks for the passphrase itself when it needs the KEK
            seal.notices().forEach(n -> LOG.warn("{}", n));
        }
        return vault;
    }

    /** The seam the gateway selects keys through. */
    public VaultProviderKeys providerKeys() {
        return keys;
    }

    /**
     * The vault's envelope cipher (data keys wrapped by the current KEK), for other secrets kept under the same
     * KEK (users' own keys); it follows seal and unseal.
     */
    public dev.keywarden.vault.crypto.SecretCipher cipher() {
        return seal.cipher();
    }

    public boolean isSealed() {
        return seal.isSealed();
    }

    /** Whether the active provider keys can be opened right now (sealed, usable, unreadable counts). */
    public KeyHealth health() {
        return keys.health();
    }

    /** Seal state, KEK versions and key counts; nothing secret. */
    public Status status() {
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (ProviderKeyState s : ProviderKeyState.values()) {
            byState.put(s.name().toLowerCase(java.util.Locale.ROOT), 0);
        }
        for (ProviderKeyRecord r : store.list(keys.environment())) {
            byState.merge(r.state().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
        }
        boolean sealed = seal.isSealed();
        return new Status(sealed, seal.provider(), sealed ? null : seal.ring().kekId(), sealed ? null : seal.ring().currentVersion(),
                sealed ? List.of() : List.copyOf(seal.ring().versions()),
                keys.environment().name().toLowerCase(java.util.Locale.ROOT), byState, rotation.overdue().size());
    }

    /** Opens a passphrase vault (or re-opens a KMS/local one after {@link #seal()}); imports a pending environment key. */
    public void unseal(char[] passphrase) {
        try {
            if (passphrase == null || passphrase.length == 0) {
                seal.unseal();
            } else {
                seal.unseal(passphrase);
            }
            try {
                identity.verify(seal.ring().kekId(), seal.ringFile());
            } catch (VaultException mismatch) {
                seal.seal();
                throw mismatch;
            }
        } catch (VaultException e) {
            events.record(SecurityEvent.alert("vault.unseal_failed", "vault", Map.of("provider", seal.provider(),
                    "reason", e.getMessage())));
            throw e;
        } finally {
            if (passphrase != null) {
                Arrays.fill(passphrase, '\0');
            }
        }
        events.record(SecurityEvent.of("vault.unsealed", "vault", Map.of("provider", seal.provider())));
        keys.refresh();
        Supplier<byte[]> importer = pendingImport;
        if (importer != null) {
            pendingImport = null;
            importSecret(importer.get(), ENV_IMPORT_SOURCE);
        }
    }

    /** Drops the KEK from memory: proxy calls get 503 until {@link #unseal(char[])}. */
    public void seal() {
        seal.seal();
        keys.refresh();
        events.record(SecurityEvent.alert("vault.sealed", "vault", Map.of("provider", seal.provider())));
    }

    public List<ProviderKeyStatus> list() {
        return rotation.list();
    }

    public List<ProviderKeyStatus> overdue() {
        return rotation.overdue();
    }

    /**
     * Reads a key from {@code sourceSpec} (e.g. {@code env:NEW_KEY}, {@code vault-kv:secret/anthropic#key})
     * and stores it sealed as an active key.
     */
    public ProviderKeyRecord add(String sourceSpec, String label, String scope, int priority, Integer rotationDays,
                                 boolean verify) {
        SecretSource source = source(sourceSpec);
        byte[] secret = source.fetch();
        try {
            NewProviderKey spec = new NewProviderKey(label, keys.environment(), parseScope(scope), priority, rotationDays,
                    source.describe());
            return rotation.add(secret, spec, verify);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Replaces {@code fromId} with the key read from {@code sourceSpec}: pending, verified, active, drain, revoke. */
    public KeyRotation.RotationResult rotate(String fromId, String sourceSpec) {
        SecretSource source = source(sourceSpec);
        byte[] secret = source.fetch();
        try {
            return rotation.rotate(fromId, secret, source.describe());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Stops using a key: {@code now} cuts calls in flight on it; otherwise they finish first. */
    public ProviderKeyRecord revoke(String id, boolean now) {
        return rotation.revoke(id, now);
    }

    /** Whether key {@code id} is active and the only active key of its environment (revoking it needs force). */
    public boolean isLastActive(String id) {
        return rotation.isLastActive(id);
    }

    /** As {@link #revoke(String, boolean)} with the last-key check; see {@link KeyRotation#revoke(String, boolean, boolean)}. */
    public RevokedKey revoke(String id, boolean now, boolean force) {
        return rotation.revoke(id, now, force);
    }

    public ProviderKeyRecord activate(String id) {
        return rotation.activate(id);
    }

    public Optional<ProviderKeyRecord> find(String id) {
        return store.find(id);
    }

    /**
     * Re-wraps every stored data key under the current KEK version (the secrets are never
     * decrypted). Safe to repeat; a record changed concurrently is skipped and counted.
     */
    public RewrapResult rewrap() {
        int current = seal.ring().currentVersion();
        int rewrapped = 0;
        int unchanged = 0;
        int skipped = 0;
        for (ProviderKeyRecord r : store.list()) {
            SealedColumns sealed = r.sealed();
            if (sealed.kekVersion() == current) {
                unchanged++;
                continue;
            }
            SealedColumns fresh = SealedColumnMapper.toColumns(
                    seal.cipher().rewrap(r.id(), SealedColumnMapper.toSecret(sealed)));
            if (store.updateSealed(r.id(), sealed, fresh)) {
                rewrapped++;
            } else {
                skipped++;
            }
        }
        events.record(SecurityEvent.of("vault.rewrapped", "vault", Map.of("kek_version", String.valueOf(current),
                "rewrapped", String.valueOf(rewrapped), "skipped", String.valueOf(skipped))));
        return new RewrapResult(current, rewrapped, unchanged, skipped);
    }

    /** Creates a new KEK version, makes it current, and re-wraps every data key under it. */
    public RewrapResult rotateKek() {
        int version = seal.ring().rotate();
        events.record(SecurityEvent.of("vault.kek_rotated", "vault", Map.of("kek_version", String.valueOf(version))));
        return rewrap();
    }

    /** Forgets an old KEK version; refused while any record is still wrapped under it. */
    public void retireKek(int version) {
        int current = seal.ring().currentVersion();
        if (version == current) {
            throw new IllegalStateException("KEK version " + version + " is the current version and cannot be retired:"
                    + " rotate first (`keywarden vault rotate-kek` makes a new current version and re-wraps every key),"
                    + " then retire " + version);
        }
        long using = store.list().stream().filter(r -> r.sealed().kekVersion() == version).count();
        if (using > 0) {
            throw new IllegalStateException("KEK version " + version + " still wraps " + using
                    + " key(s): run `keywarden vault rewrap` first");
        }
        seal.ring().retire(version);
        events.record(SecurityEvent.of("vault.kek_retired", "vault", Map.of("kek_version", String.valueOf(version))));
    }

    /**
     * At start-up: stores {@code ANTHROPIC_API_KEY} in the vault unless that key is already
     * there. While sealed, the import waits for {@link #unseal(char[])}.
     */
    public void importAtStartup(Supplier<byte[]> secret) {
        Objects.requireNonNull(secret, "secret");
        if (seal.isSealed()) {
            pendingImport = secret;
            LOG.info("ANTHROPIC_API_KEY will be imported into the vault once it is unsealed");
            return;
        }
        importSecret(secret.get(), ENV_IMPORT_SOURCE);
    }

    private void importSecret(byte[] secret, String sourceLabel) {
        try {
            String sha = ProviderKeyIds.sha256Hex(secret);
            if (store.findByFingerprint(keys.environment(), sha).isPresent()) {
                return;
            }
            boolean first = store.list(keys.environment()).stream().noneMatch(r -> r.state() == ProviderKeyState.ACTIVE);
            ProviderKeyRecord added = rotation.add(secret, new NewProviderKey(first ? "primary" : "imported",
                    keys.environment(), KeyScope.ALL, first ? 0 : 10, null, sourceLabel), false);
            LOG.info("imported ANTHROPIC_API_KEY into the vault as {} ({})", added.id(), added.displayFingerprint());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private SecretSource source(String spec) {
        SourceOptions options = SourceOptions.builder().environment(deployment).build();
        return SecretSources.parse(spec, processEnv, workDir, options);
    }

    private static KeyScope parseScope(String scope) {
        if (scope == null || scope.isBlank()) {
            return KeyScope.ALL;
        }
        return KeyScope.parse(scope, "");
    }

    @Override
    public void close() {
        keys.close();
    }

    /** What {@code vault status} shows (JSON in snake_case, like every admin API answer). */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Status(boolean sealed, String kek, String kekId, Integer kekVersion, List<Integer> kekVersions, String keyEnvironment,
                         Map<String, Integer> keysByState, int overdueKeys) {
    }

    /** What a re-wrap did. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RewrapResult(int kekVersion, int rewrapped, int unchanged, int skipped) {
    }

    @Override
    public String toString() {
        return "KeyVault[" + seal + ", " + keys.environment() + "]";
    }

}
