package dev.keywarden.doctor;

import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditVerifier;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.Secret;
import dev.keywarden.log.Redactor;
import dev.keywarden.store.Database;
import dev.keywarden.store.ProviderKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads what the checklist needs from the store a configuration names ({@link Database#open}: SQLite in
 * the data directory or PostgreSQL): the provider keys (fingerprints and states only, no KEK needed) and
 * the audit trail, verified with the server secret.
 *
 * <p>Guarantee: never creates anything: a missing SQLite file or server secret is reported as "not
 * available", not created.
 *
 * @param keys  the stored provider keys (unknown with {@code vault.kek none})
 * @param audit the verification of every audit chain
 */
public record StoreInspection(KeyInventory keys, AuditState audit, SecretState secret) {

    public StoreInspection(KeyInventory keys, AuditState audit) {
        this(keys, audit, SecretState.unchecked(audit.verified() ? "not inspected" : audit.reason()));
    }

    public static StoreInspection of(KeywardenConfig config) {
        Path dataDir = config.dataDir().toAbsolutePath().normalize();
        if (!config.shared().postgres() && !Files.isRegularFile(dataDir.resolve(Database.FILE_NAME))) {
            String reason = "no store at " + dataDir.resolve(Database.FILE_NAME) + " (the gateway has not run with this data_dir)";
            return new StoreInspection(config.vault().enabled() ? KeyInventory.unknown(reason) : vaultOff(), AuditState.unavailable(reason));
        }
        try (Database db = Database.open(config)) {
            KeyInventory keys = config.vault().enabled()
                    ? KeyInventory.of(new ProviderKeyStore(db).list().stream().map(KeyFact::of).toList(), db.location())
                    : vaultOff();
            return new StoreInspection(keys, audit(config, db, dataDir), secret(config, db, dataDir));
        } catch (RuntimeException e) {
            String reason = "cannot open the store: " + Redactor.redact(String.valueOf(e.getMessage()));
            return new StoreInspection(config.vault().enabled() ? KeyInventory.unknown(reason) : vaultOff(),
                    AuditState.unavailable(reason));
        }
    }

    /** The inventory when the vault is off: the only key is the plaintext one, untracked. */
    public static KeyInventory vaultOff() {
        return KeyInventory.unknown("vault.kek none: the provider key is not stored, so it has no environment or rotation record");
    }

    private static SecretState secret(KeywardenConfig config, Database db, Path dataDir) {
        ServerSecret secret;
        if (config.serverSecret().isPresent()) {
            try {
                secret = ServerSecret.fromBase64(config.serverSecret().map(Secret::reveal).orElseThrow());
            } catch (IllegalArgumentException e) {
                return SecretState.unchecked(e.getMessage());
            }
        } else if (Files.isRegularFile(dataDir.resolve(ServerSecret.FILE_NAME))) {
            secret = ServerSecret.loadOrCreate(dataDir); // it exists: read, never created
        } else {
            return SecretState.unchecked("no server secret (server_secret / KEYWARDEN_SERVER_SECRET, or "
                    + dataDir.resolve(ServerSecret.FILE_NAME) + ")");
        }
        return SecretState.of(dev.keywarden.auth.VirtualKeyService.matchesRecordedSecret(db, secret));
    }

    private static AuditState audit(KeywardenConfig config, Database db, Path dataDir) {
        ServerSecret secret;
        if (config.serverSecret().isPresent()) {
            try {
                secret = ServerSecret.fromBase64(config.serverSecret().map(Secret::reveal).orElseThrow());
            } catch (IllegalArgumentException e) {
                return AuditState.unavailable(e.getMessage());
            }
        } else if (Files.isRegularFile(dataDir.resolve(ServerSecret.FILE_NAME))) {
            secret = ServerSecret.loadOrCreate(dataDir);
        } else {
            return AuditState.unavailable("no server secret (server_secret / KEYWARDEN_SERVER_SECRET, or "
                    + dataDir.resolve(ServerSecret.FILE_NAME) + ") to check the signed checkpoints with");
        }
        return AuditState.of(new AuditVerifier(new AuditStore(db), secret).verifyAll());
    }
}
