package dev.keywarden.vault.crypto;

import static dev.keywarden.vault.crypto.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.VaultConfig;
import dev.keywarden.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKekTest {

    @TempDir
    Path dataDir;

    @Test
    void theLocalKeysetAndTheRingAreOwnerOnlyFilesInAnOwnerOnlyDirectory() throws Exception {
        TestSeals.newLocal(dataDir);
        assertThat(mode(dataDir.resolve("vault/local-kek.json"))).isEqualTo("rw-------");
        assertThat(mode(dataDir.resolve("vault/kek-ring.json"))).isEqualTo("rw-------");
        assertThat(mode(dataDir.resolve("vault"))).isEqualTo("rwx------");

        VaultSeal.local(dataDir).ring().rotate(); // an atomic replace keeps 0600
        assertThat(mode(dataDir.resolve("vault/kek-ring.json"))).isEqualTo("rw-------");
    }

    @Test
    void theLocalProviderWarnsThatItIsForDevelopment() {
        TestSeals.newLocal(dataDir);
        assertThat(VaultSeal.open(config("local"), dataDir, Map.of()).notices())
                .singleElement().asString().startsWith("WARN").contains("development only").contains("local-kek.json");
    }

    @Test
    void theRingFileHoldsNoPlaintextKeyMaterial() throws Exception {
        TestSeals.newLocal(dataDir);
        String ring = Files.readString(dataDir.resolve("vault/kek-ring.json"));
        assertThat(ring).contains("encryptedKeyset").doesNotContain("\"value\"").doesNotContain("keyValue");
    }

    @Test
    void aReplacedLocalKeysetFailsAsWrongKekAndNamesNoKeyBytes(@TempDir Path otherDir) throws Exception {
        SealedSecret stored = TestSeals.newLocal(dataDir).cipher().seal("pk_1", TestKeys.canaryProviderKey().getBytes(StandardCharsets.US_ASCII));
        TestSeals.newLocal(otherDir);
        Path keyset = dataDir.resolve("vault/local-kek.json");
        Files.delete(keyset);
        Files.copy(otherDir.resolve("vault/local-kek.json"), keyset);

        VaultException e = catchThrowableOfType(VaultException.class, () -> VaultSeal.local(dataDir));
        assertThat(e).hasMessageStartingWith("wrong KEK").hasMessageContaining("local-kek.json");
        assertNoSecretIn(e, keyBytes(keyset));
        assertThat(stored.kekId()).startsWith("local:");
    }

    @Test
    void aMissingLocalKeysetBesideAnExistingRingIsNotSilentlyRegenerated() throws Exception {
        TestSeals.newLocal(dataDir);
        Files.delete(dataDir.resolve("vault/local-kek.json"));
        assertThatThrownBy(() -> VaultSeal.local(dataDir)).isInstanceOf(VaultException.class)
                .hasMessageContaining("is missing").hasMessageContaining("restore");
        assertThat(dataDir.resolve("vault/local-kek.json")).doesNotExist();
    }

    @Test
    void aLocalKeysetReadableByOthersIsRefused() throws Exception {
        TestSeals.newLocal(dataDir);
        Path keyset = dataDir.resolve("vault/local-kek.json");
        Files.setPosixFilePermissions(keyset, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> VaultSeal.local(dataDir)).isInstanceOf(VaultException.class)
                .hasMessageContaining("chmod 600");
    }

    @Test
    void aRingMadeByAnotherProviderIsNotOpenedWithThisOne() {
        TestSeals.newLocal(dataDir);
        assertThatThrownBy(() -> VaultSeal.passphrase(dataDir, Argon2idParams.DEFAULT).unseal("pass".toCharArray()))
                .isInstanceOf(VaultException.class).hasMessageContaining("was created with vault.kek local");
    }

    @Test
    void configErrorsAreOneLineMessagesNamingTheSetting() {
        assertThatThrownBy(() -> VaultSeal.open(config("aws-kms"), dataDir, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("vault.kms_key is required when vault.kek is aws-kms: set KEYWARDEN_VAULT_KMS_KEY");
        assertThatThrownBy(() -> VaultSeal.open(config("gcp-kms"), dataDir, Map.of()))
                .hasMessageStartingWith("vault.kms_key is required when vault.kek is gcp-kms");
        assertThatThrownBy(() -> VaultSeal.open(config("vault-transit"), dataDir, Map.of()))
                .hasMessageStartingWith("vault.kms_key is required when vault.kek is vault-transit");
        assertThatThrownBy(() -> VaultSeal.open(config("none"), dataDir, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("vault.kek is none");
    }

    @Test
    void unsealWithAPassphraseIsRefusedForTheLocalProvider() {
        VaultSeal seal = TestSeals.newLocal(dataDir);
        assertThatThrownBy(() -> seal.unseal("x".toCharArray())).isInstanceOf(VaultException.class)
                .hasMessageContaining("without a passphrase");
        seal.seal();
        assertThat(seal.isSealed()).isTrue();
        seal.unseal();
        assertThat(seal.isSealed()).isFalse();
    }

    private static byte[] keyBytes(Path keyset) throws Exception {
        String value = new ObjectMapper().readTree(keyset.toFile()).get("key").get(0).get("keyData").get("value").asText();
        return Base64.getDecoder().decode(value);
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static VaultConfig config(String kek) {
        return new VaultConfig(kek, Optional.empty(), Optional.empty(), Optional.empty(), "dev", Duration.ofMinutes(5));
    }
}
