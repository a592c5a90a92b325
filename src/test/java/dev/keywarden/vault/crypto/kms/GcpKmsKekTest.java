package dev.keywarden.vault.crypto.kms;

import static dev.keywarden.vault.crypto.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keywarden.config.ConfigException;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSeal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcpKmsKekTest {

    @TempDir
    Path dataDir;

    private final String token = "ya29." + TestKeys.random(40);
    private final String key = "projects/p1/locations/global/keyRings/kw/cryptoKeys/kek";
    private Map<String, String> env;
    private KmsStandIn.GcpKms kms;

    @BeforeEach
    void start() throws Exception {
        kms = new KmsStandIn.GcpKms(token);
        env = Map.of("GOOGLE_OAUTH_ACCESS_TOKEN", token);
    }

    @AfterEach
    void stop() {
        kms.close();
    }

    @Test
    void recordsRoundTripThroughCloudKmsAndSurviveARestart() {
        KmsScenarios.recordsRoundTripRotateAndSurviveARestart(KmsScenarios.config("gcp-kms", key, kms.url()), dataDir, env);
        assertThat(kms.requests).isNotEmpty().allSatisfy(h -> {
            assertThat(h.get(":path")).matches("/v1/" + key + ":(encrypt|decrypt)");
            assertThat(h.get("authorization")).isEqualTo("Bearer " + token);
        });
    }

    @Test
    void theGcpKmsUriPrefixIsAccepted() {
        KmsScenarios.recordsRoundTripRotateAndSurviveARestart(KmsScenarios.config("gcp-kms", "gcp-kms://" + key, kms.url()), dataDir, env);
    }

    @Test
    void aStandInAnswering403GivesAClearVaultExceptionWithoutTheToken() {
        VaultSeal.initialize(KmsScenarios.config("gcp-kms", key, kms.url()), dataDir, env, null);
        kms.forbidden = true;
        VaultException e = catchThrowableOfType(VaultException.class,
                () -> VaultSeal.open(KmsScenarios.config("gcp-kms", key, kms.url()), dataDir, env));
        assertThat(e).hasMessageContaining("gcp-kms refused").hasMessageContaining("HTTP 403").hasMessageContaining(key);
        assertNoSecretIn(e, token.getBytes(StandardCharsets.UTF_8), kms.keyBytes(key));
    }

    @Test
    void aDifferentKmsKeyFailsAsWrongKek() {
        VaultSeal.initialize(KmsScenarios.config("gcp-kms", key, kms.url()), dataDir, env, null);
        String other = "projects/p1/locations/global/keyRings/kw/cryptoKeys/other";
        assertThatThrownBy(() -> VaultSeal.open(KmsScenarios.config("gcp-kms", other, kms.url()), dataDir, env))
                .isInstanceOf(VaultException.class).hasMessageStartingWith("wrong KEK").hasMessageContaining(other);
    }

    @Test
    void aKeyThatIsNotAResourceNameIsAOneLineConfigError() {
        assertThatThrownBy(() -> VaultSeal.open(KmsScenarios.config("gcp-kms", "kek", kms.url()), dataDir, env))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("vault.kms_key 'kek' is not a Cloud KMS key name");
    }
}
