package dev.keywarden.vault.crypto;

import dev.keywarden.config.VaultConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** New vaults for tests, made the one way a vault is made ({@link VaultSeal#initialize}, as {@code vault init} does). */
public final class TestSeals {

    private TestSeals() {
    }

    /** A new {@code local} vault in {@code dataDir}, unsealed. */
    public static VaultSeal newLocal(Path dataDir) {
        return VaultSeal.initialize(config("local", Optional.empty()), dataDir, Map.of(), null);
    }

    /** A new {@code passphrase} vault in {@code dataDir}, unsealed. */
    public static VaultSeal newPassphrase(Path dataDir, String passphrase) {
        return VaultSeal.initialize(config("passphrase", Optional.empty()), dataDir, Map.of(), passphrase.toCharArray());
    }

    /** A new vault for the KMS {@code config} names, unsealed. */
    public static VaultSeal newVault(VaultConfig config, Path dataDir, Map<String, String> env) {
        return VaultSeal.initialize(config, dataDir, env, null);
    }

    static VaultConfig config(String kek, Optional<String> kmsKey) {
        return new VaultConfig(kek, Optional.empty(), kmsKey, Optional.empty(), "dev", Duration.ofMinutes(5));
    }
}
