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
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AwsKmsKekTest {

    @TempDir
    Path dataDir;

    private final String accessKeyId = "AKIA" + TestKeys.random(16).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "Q");
    private final String secretKey = TestKeys.random(40);
    private final String arn = "arn:aws:kms:eu-west-1:111122223333:key/" + UUID.randomUUID();
    private Map<String, String> env;
    private KmsStandIn.AwsKms kms;

    @BeforeEach
    void start() throws Exception {
        kms = new KmsStandIn.AwsKms(accessKeyId);
        env = Map.of("AWS_ACCESS_KEY_ID", accessKeyId, "AWS_SECRET_ACCESS_KEY", secretKey);
    }

    @AfterEach
    void stop() {
        kms.close();
    }

    @Test
    void recordsRoundTripThroughAwsKmsAndSurviveARestart() {
        KmsScenarios.recordsRoundTripRotateAndSurviveARestart(KmsScenarios.config("aws-kms", arn, kms.url()), dataDir, env);
        assertThat(kms.requests).isNotEmpty().allSatisfy(h -> {
            assertThat(h.get("x-amz-target")).isIn("TrentService.Encrypt", "TrentService.Decrypt");
            assertThat(h.get("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/")
                    .contains("/eu-west-1/kms/aws4_request").contains("SignedHeaders=").contains("Signature=")
                    .doesNotContain(secretKey);
            assertThat(h.get("x-amz-date")).isNotBlank();
        });
    }

    @Test
    void aStandInAnswering403GivesAClearVaultExceptionWithoutCredentials() {
        VaultSeal.initialize(KmsScenarios.config("aws-kms", arn, kms.url()), dataDir, env, null);
        kms.forbidden = true;
        VaultException e = catchThrowableOfType(VaultException.class,
                () -> VaultSeal.open(KmsScenarios.config("aws-kms", arn, kms.url()), dataDir, env));
        assertThat(e).hasMessageContaining("aws-kms refused").hasMessageContaining("HTTP 403 AccessDeniedException")
                .hasMessageContaining(arn);
        assertNoSecretIn(e, secretKey.getBytes(StandardCharsets.UTF_8), kms.keyBytes(arn));
    }

    @Test
    void aDifferentKmsKeyFailsAsWrongKek() {
        VaultSeal.initialize(KmsScenarios.config("aws-kms", arn, kms.url()), dataDir, env, null);
        String otherArn = "arn:aws:kms:eu-west-1:111122223333:key/" + UUID.randomUUID();
        assertThatThrownBy(() -> VaultSeal.open(KmsScenarios.config("aws-kms", otherArn, kms.url()), dataDir, env))
                .isInstanceOf(VaultException.class).hasMessageStartingWith("wrong KEK").hasMessageContaining(otherArn);
    }

    @Test
    void aKeyThatIsNotAnArnIsAOneLineConfigError() {
        assertThatThrownBy(() -> VaultSeal.open(KmsScenarios.config("aws-kms", "my-key", kms.url()), dataDir, env))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("vault.kms_key 'my-key' is not an AWS KMS key ARN");
    }
}
