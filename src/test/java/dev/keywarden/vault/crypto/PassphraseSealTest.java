package dev.keywarden.vault.crypto;

import static dev.keywarden.vault.crypto.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.config.Secret;
import dev.keywarden.config.VaultConfig;
import dev.keywarden.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassphraseSealTest {

    @TempDir
    Path dataDir;

    private final String passphrase = "correct horse " + TestKeys.random(12);

    @Test
    void argon2ParametersAreAtLeastOwaspsMinimum() {
        Argon2idParams p = Argon2idParams.DEFAULT;
        assertThat(p.memoryKib()).isGreaterThanOrEqualTo(19 * 1024);
        assertThat(p.iterations()).isGreaterThanOrEqualTo(2);
        assertThat(p.parallelism()).isGreaterThanOrEqualTo(1);
        assertThat(PassphraseKdf.SALT_BYTES * 8).isGreaterThanOrEqualTo(128);
        assertThatThrownBy(() -> new Argon2idParams(19 * 1024 - 1, 2, 1)).isInstanceOf(VaultException.class)
                .hasMessageContaining("below the minimum");
        assertThatThrownBy(() -> new Argon2idParams(19 * 1024, 1, 1)).isInstanceOf(VaultException.class);
    }

    @Test
    void theRingFileRecordsArgon2idWithOwaspParametersAndARandom128BitSalt() throws Exception {
        VaultSeal seal = TestSeals.newPassphrase(dataDir, passphrase);
        seal.unseal(passphrase.toCharArray());
        JsonNode kdf = new ObjectMapper().readTree(ringFile().toFile()).get("kdf");
        assertThat(kdf.get("algorithm").asText()).isEqualTo("argon2id");
        assertThat(kdf.get("memory_kib").asInt()).isGreaterThanOrEqualTo(19 * 1024);
        assertThat(kdf.get("iterations").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(kdf.get("parallelism").asInt()).isGreaterThanOrEqualTo(1);
        byte[] salt = Base64.getDecoder().decode(kdf.get("salt").asText());
        assertThat(salt).hasSize(16);

        Path other = Files.createDirectory(dataDir.resolve("other"));
        TestSeals.newPassphrase(other, passphrase);
        byte[] otherSalt = Base64.getDecoder().decode(new ObjectMapper().readTree(other.resolve("vault/kek-ring.json").toFile())
                .get("kdf").get("salt").asText());
        assertThat(otherSalt).isNotEqualTo(salt);
    }

    @Test
    void aDowngradedKdfInTheRingFileIsRefused() throws Exception {
        TestSeals.newPassphrase(dataDir, passphrase);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(ringFile().toFile());
        ((ObjectNode) root.get("kdf")).put("memory_kib", 1024);
        Files.write(ringFile(), json.writeValueAsBytes(root));
        assertThatThrownBy(() -> VaultSeal.passphrase(dataDir, Argon2idParams.DEFAULT).unseal(passphrase.toCharArray()))
                .isInstanceOf(VaultException.class).hasMessageContaining("below the minimum");
    }

    @Test
    void aSealedStartRefusesEveryOperationUntilUnsealedWithTheRightPassphrase() {
        VaultSeal first = TestSeals.newPassphrase(dataDir, passphrase);
        byte[] secret = TestKeys.canaryProviderKey().getBytes(StandardCharsets.US_ASCII);
        SealedSecret stored = first.cipher().seal("pk_1", secret);

        VaultSeal seal = VaultSeal.open(config(Optional.empty()), dataDir, Map.of());
        SecretCipher cipher = seal.cipher();
        assertThat(seal.isSealed()).isTrue();
        assertThat(cipher.sealed()).isTrue();
        assertThat(seal.notices()).anyMatch(n -> n.contains("starts sealed"));
        assertThatThrownBy(() -> cipher.open("pk_1", stored)).isInstanceOf(VaultSealedException.class)
                .hasMessage("vault is sealed: run `keywarden vault unseal`");
        assertThatThrownBy(() -> cipher.seal("pk_2", secret)).isInstanceOf(VaultSealedException.class);
        assertThatThrownBy(() -> cipher.rewrap("pk_1", stored)).isInstanceOf(VaultSealedException.class);
        assertThatThrownBy(seal::ring).isInstanceOf(VaultSealedException.class);

        VaultException wrong = catchThrowableOfType(VaultException.class, () -> seal.unseal("not the passphrase".toCharArray()));
        assertThat(wrong).isNotInstanceOf(VaultSealedException.class).hasMessageStartingWith("wrong passphrase");
        assertNoSecretIn(wrong, passphrase.getBytes(StandardCharsets.UTF_8), "not the passphrase".getBytes(StandardCharsets.UTF_8));
        assertThat(seal.isSealed()).isTrue();

        seal.unseal(passphrase.toCharArray());
        assertThat(seal.isSealed()).isFalse();
        assertThat(cipher.open("pk_1", stored)).isEqualTo(secret);

        seal.seal();
        assertThat(cipher.sealed()).isTrue();
        assertThatThrownBy(() -> cipher.open("pk_1", stored)).isInstanceOf(VaultSealedException.class);
        seal.unseal(passphrase.toCharArray());
        assertThat(cipher.open("pk_1", stored)).isEqualTo(secret);
    }

    @Test
    void aPassphraseInTheConfigUnsealsAtStartAndAWrongOneStopsStartUp() {
        TestSeals.newPassphrase(dataDir, passphrase);
        assertThat(VaultSeal.open(config(Optional.of(Secret.of(passphrase))), dataDir, Map.of()).isSealed()).isFalse();
        assertThatThrownBy(() -> VaultSeal.open(config(Optional.of(Secret.of(passphrase + "x"))), dataDir, Map.of()))
                .isInstanceOf(VaultException.class).hasMessageStartingWith("wrong passphrase");
    }

    @Test
    void aWrongPassphraseOnAnAlreadyUnsealedVaultStillFails() {
        VaultSeal seal = TestSeals.newPassphrase(dataDir, passphrase);
        seal.unseal(passphrase.toCharArray());
        assertThatThrownBy(() -> seal.unseal("nope".toCharArray())).hasMessageStartingWith("wrong passphrase");
        assertThat(seal.isSealed()).isFalse();
    }

    @Test
    void unsealAndOpenOnADirectoryWithoutAVaultCreateNothingAndNameVaultInit() {
        VaultException unseal = catchThrowableOfType(VaultException.class,
                () -> VaultSeal.passphrase(dataDir, Argon2idParams.DEFAULT).unseal(passphrase.toCharArray()));
        assertThat(unseal).isInstanceOf(VaultNotInitializedException.class).hasMessageContaining("keywarden vault init")
                .hasMessageContaining(ringFile().toString());
        assertThatThrownBy(() -> VaultSeal.open(config(Optional.of(Secret.of(passphrase))), dataDir, Map.of()))
                .isInstanceOf(VaultNotInitializedException.class).hasMessageContaining("keywarden vault init");
        assertThatThrownBy(() -> VaultSeal.open(config(Optional.empty()), dataDir, Map.of()))
                .isInstanceOf(VaultNotInitializedException.class);
        assertThat(ringFile()).doesNotExist();
        assertThat(dataDir.resolve("vault")).doesNotExist();
    }

    @Test
    void initializeRefusesWhenAVaultExistsAndLeavesItsRingUnchanged() throws Exception {
        TestSeals.newPassphrase(dataDir, passphrase);
        byte[] before = Files.readAllBytes(ringFile());
        assertThatThrownBy(() -> TestSeals.newPassphrase(dataDir, "another " + passphrase)).isInstanceOf(VaultException.class)
                .hasMessageContaining("a vault already exists").hasMessageContaining(ringFile().toString());
        assertThat(Files.readAllBytes(ringFile())).isEqualTo(before);
        assertThat(VaultSeal.open(config(Optional.of(Secret.of(passphrase))), dataDir, Map.of()).isSealed()).isFalse();
    }

    @Test
    void anEmptyPassphraseIsRefused() {
        VaultSeal seal = VaultSeal.passphrase(dataDir, Argon2idParams.DEFAULT);
        assertThatThrownBy(() -> seal.unseal(new char[0])).isInstanceOf(VaultException.class).hasMessageContaining("empty");
    }

    @Test
    void theDerivedKeyDependsOnPassphraseAndSalt() {
        byte[] salt = new byte[16];
        byte[] a = PassphraseKdf.derive("one".toCharArray(), salt, Argon2idParams.DEFAULT);
        byte[] b = PassphraseKdf.derive("one".toCharArray(), salt, Argon2idParams.DEFAULT);
        byte[] c = PassphraseKdf.derive("two".toCharArray(), salt, Argon2idParams.DEFAULT);
        salt[0] = 1;
        byte[] d = PassphraseKdf.derive("one".toCharArray(), salt, Argon2idParams.DEFAULT);
        assertThat(a).hasSize(32).isEqualTo(b).isNotEqualTo(c).isNotEqualTo(d);
    }

    private Path ringFile() {
        return dataDir.resolve("vault/kek-ring.json");
    }

    private static VaultConfig config(Optional<Secret> passphrase) {
        return new VaultConfig("passphrase", passphrase, Optional.empty(), Optional.empty(), "dev", Duration.ofMinutes(5));
    }
}
