package dev.keywarden.vault.crypto.kms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.config.VaultConfig;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.crypto.SealedSecret;
import dev.keywarden.vault.crypto.VaultSeal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The round trip every KMS provider must pass against its stand-in. */
final class KmsScenarios {

    private KmsScenarios() {
    }

    static VaultConfig config(String kek, String key, String endpoint) {
        return new VaultConfig(kek, Optional.empty(), Optional.of(key), Optional.ofNullable(endpoint), "dev", Duration.ofMinutes(5));
    }

    /** Seals records, rotates, re-wraps, then opens everything again from a fresh process's point of view. */
    static void recordsRoundTripRotateAndSurviveARestart(VaultConfig config, Path dataDir, Map<String, String> env) {
        VaultSeal seal = VaultSeal.initialize(config, dataDir, env, null);
        assertThat(seal.isSealed()).isFalse();
        assertThat(seal.provider()).isEqualTo(config.kek());
        Map<String, byte[]> plaintexts = new LinkedHashMap<>();
        Map<String, SealedSecret> records = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            byte[] secret = TestKeys.canaryProviderKey().getBytes(StandardCharsets.US_ASCII);
            plaintexts.put("pk_" + i, secret);
            records.put("pk_" + i, seal.cipher().seal("pk_" + i, secret));
        }
        records.forEach((id, s) -> assertThat(seal.cipher().open(id, s)).isEqualTo(plaintexts.get(id)));
        assertThat(records.get("pk_0").kekId()).startsWith(config.kek() + ":");

        seal.ring().rotate();
        records.replaceAll((id, s) -> seal.cipher().rewrap(id, s));
        seal.ring().retire(1);

        VaultSeal restarted = VaultSeal.open(config, dataDir, env);
        assertThat(restarted.ring().versions()).containsExactly(2);
        records.forEach((id, s) -> assertThat(restarted.cipher().open(id, s)).isEqualTo(plaintexts.get(id)));
    }
}
