package dev.keywarden.vault.crypto.kms;

import static dev.keywarden.vault.crypto.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.crypto.tink.Aead;
import dev.keywarden.config.ConfigException;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.crypto.KmsUnavailableException;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSeal;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultTransitKekTest {

    @TempDir
    Path dataDir;

    private final String token = "hvs." + TestKeys.random(24);
    private KmsStandIn.VaultTransit vault;

    @BeforeEach
    void start() throws Exception {
        vault = new KmsStandIn.VaultTransit(token);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    @Test
    void recordsRoundTripThroughVaultTransitAndSurviveARestart() {
        KmsScenarios.recordsRoundTripRotateAndSurviveARestart(
                KmsScenarios.config("vault-transit", vault.url() + "/v1/transit/keys/kw", null), dataDir, Map.of("VAULT_TOKEN", token));
        assertThat(vault.requests).isNotEmpty().allSatisfy(h -> {
            assertThat(h.get("x-vault-token")).isEqualTo(token);
            assertThat(h.get(":path")).matches("/v1/transit/(encrypt|decrypt)/kw");
        });
    }

    @Test
    void aKeyPathWithTheAddressInKmsEndpointWorksToo() {
        KmsScenarios.recordsRoundTripRotateAndSurviveARestart(
                KmsScenarios.config("vault-transit", "transit/keys/kw", vault.url()), dataDir, Map.of("VAULT_TOKEN", token));
    }

    @Test
    void aStandInAnswering403GivesAClearVaultExceptionWithoutTheToken() {
        VaultSeal.initialize(KmsScenarios.config("vault-transit", vault.url() + "/v1/transit/keys/kw", null), dataDir, Map.of("VAULT_TOKEN", token), null);
        vault.forbidden = true;
        VaultException e = catchThrowableOfType(VaultException.class, () -> VaultSeal.open(
                KmsScenarios.config("vault-transit", vault.url() + "/v1/transit/keys/kw", null), dataDir, Map.of("VAULT_TOKEN", token)));
        assertThat(e).hasMessageContaining("vault-transit refused").hasMessageContaining("HTTP 403")
                .hasMessageContaining("transit/keys/kw").hasMessageContaining("VAULT_TOKEN");
        assertNoSecretIn(e, token.getBytes(StandardCharsets.UTF_8), vault.keyBytes("kw"));
    }

    @Test
    void aDifferentTransitKeyFailsAsWrongKek() {
        VaultSeal.initialize(KmsScenarios.config("vault-transit", vault.url() + "/v1/transit/keys/kw", null), dataDir, Map.of("VAULT_TOKEN", token), null);
        VaultException e = catchThrowableOfType(VaultException.class, () -> VaultSeal.open(
                KmsScenarios.config("vault-transit", vault.url() + "/v1/transit/keys/other", null), dataDir, Map.of("VAULT_TOKEN", token)));
        assertThat(e).hasMessageStartingWith("wrong KEK").hasMessageContaining("transit/keys/other");
        assertNoSecretIn(e, vault.keyBytes("kw"), vault.keyBytes("other"));
    }

    @Test
    void associatedDataIsBoundAlthoughTransitIgnoresIt() throws Exception {
        Aead aead = new VaultTransitAead(HttpClient.newHttpClient(), URI.create(vault.url()), "transit", "kw", token, Optional.empty());
        byte[] plaintext = TestKeys.random(32).getBytes(StandardCharsets.US_ASCII);
        byte[] ct = aead.encrypt(plaintext, "record-a".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(ct, StandardCharsets.US_ASCII)).startsWith("vault:v1:");
        assertThat(aead.decrypt(ct, "record-a".getBytes(StandardCharsets.UTF_8))).isEqualTo(plaintext);
        assertThatThrownBy(() -> aead.decrypt(ct, "record-b".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(GeneralSecurityException.class).isNotInstanceOf(KmsUnavailableException.class)
                .hasMessageContaining("associated data");
        assertThatThrownBy(() -> aead.decrypt(ct, new byte[0])).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void anUnreachableVaultIsReportedAsUnavailable() {
        String deadUrl = vault.url();
        vault.close();
        assertThatThrownBy(() -> VaultSeal.initialize(KmsScenarios.config("vault-transit", deadUrl + "/v1/transit/keys/kw", null), dataDir,
                Map.of("VAULT_TOKEN", token), null)).isInstanceOf(VaultException.class).hasMessageContaining("cannot reach vault-transit");
    }

    @Test
    void aMissingTokenOrMalformedKeyIsAOneLineConfigError() {
        assertThatThrownBy(() -> VaultSeal.open(KmsScenarios.config("vault-transit", vault.url() + "/v1/transit/keys/kw", null), dataDir, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("VAULT_TOKEN is required when vault.kek is vault-transit");
        assertThatThrownBy(() -> VaultSeal.open(KmsScenarios.config("vault-transit", "kw", null), dataDir, Map.of("VAULT_TOKEN", token)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("vault.kms_key 'kw' is not a Vault Transit key");
    }
}
