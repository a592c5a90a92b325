package dev.keywarden.vault.source;

import dev.keywarden.config.Secret;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.source.SecretSourceException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SecretSourcesTest {

    @TempDir
    Path dir;

    private SecretSourceException parseFails(String spec, Map<String, String> env) {
        return catchThrowableOfType(SecretSourceException.class, () -> SecretSources.parse(spec, env, dir));
    }

    @ParameterizedTest
    @ValueSource(strings = {"literal:", "value:", "raw:", "plain:", "base64:", "inline:"})
    void specsThatWouldCarryTheSecretAreRefusedWithoutRepeatingIt(String scheme) {
        String value = "hunter2-" + TestKeys.random(20);

        SecretSourceException e = parseFails(scheme + value, Map.of());

        assertThat(e.kind()).isEqualTo(Kind.INVALID_SPEC);
        assertThat(e.getMessage()).contains(scheme).contains("never carry the key").contains("env:VAR");
        Leaks.assertNoSecretIn(e, value);
    }

    @Test
    void aProviderKeyPastedAnywhereInTheSpecIsRefusedWithoutRepeatingIt() {
        String key = TestKeys.canaryProviderKey();
        for (String spec : new String[]{key, "env:" + key, "file:/tmp/" + key, "literal:" + key, "aws-sm:x#" + key}) {
            SecretSourceException e = parseFails(spec, Map.of());

            assertThat(e.kind()).isEqualTo(Kind.INVALID_SPEC);
            assertThat(e.getMessage()).contains("looks like a provider key").contains("rotate");
            Leaks.assertNoSecretIn(e, key, key.substring(20));
        }
    }

    @Test
    void unknownSchemeIsNamedAndTheKnownFormsListed() {
        SecretSourceException e = parseFails("s3:bucket/key", Map.of());

        assertThat(e.kind()).isEqualTo(Kind.INVALID_SPEC);
        assertThat(e.getMessage()).contains("'s3:'").contains("env:VAR").contains("aws-sm:").contains("gcp-sm:");
    }

    @Test
    void specWithoutSchemeIsNotEchoed() {
        String token = "hvs." + TestKeys.random(24);

        SecretSourceException e = parseFails(token, Map.of());

        assertThat(e.getMessage()).contains("no scheme");
        Leaks.assertNoSecretIn(e, token);
    }

    @Test
    void oddLookingSchemeIsNotEchoedEither() {
        String junk = "AbC$" + TestKeys.random(10);

        SecretSourceException e = parseFails(junk + ":x", Map.of());

        assertThat(e.getMessage()).contains("not repeated");
        Leaks.assertNoSecretIn(e, junk);
    }

    @Test
    void envSourceReturnsTheVariableWithoutItsTrailingNewline() {
        String key = TestKeys.canaryProviderKey();
        SecretSource source = SecretSources.parse("env:ANTHROPIC_API_KEY", Map.of("ANTHROPIC_API_KEY", key + "\r\n"), dir);

        assertThat(new String(source.fetch(), StandardCharsets.UTF_8)).isEqualTo(key);
        assertThat(source.describe()).isEqualTo("env:ANTHROPIC_API_KEY");
        assertThat(source.toString()).doesNotContain(key);
    }

    @Test
    void missingEnvironmentVariableIsNamedWithTheFix() {
        SecretSource source = SecretSources.parse("env:ANTHROPIC_API_KEY", Map.of(), dir);

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class, source::fetch);

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).startsWith("env:ANTHROPIC_API_KEY: ").contains("is not set").contains("export it");
    }

    @Test
    void emptyValueIsRefusedAsMissing() {
        SecretSource source = SecretSources.parse("env:K", Map.of("K", "\n"), dir);

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class, source::fetch);

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("env:K").contains("empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"env:", "env:1ABC", "env:MY VAR", "env:A-B", "dotenv:", "file:", "vault-kv:secret",
            "vault-kv:secret//x#f", "vault-kv:secret/../x#f", "vault-kv:secret/x?token=abc", "vault-kv:secret/x?version=0",
            "aws-sm:", "aws-sm:has space", "aws-sm:x#bad field", "gcp-sm:my-secret", "gcp-sm:projects/p/secrets/s/versions/"})
    void malformedSpecsOfKnownSchemesAreInvalid(String spec) {
        Map<String, String> env = Map.of("VAULT_ADDR", "http://127.0.0.1:1", "VAULT_TOKEN", "t", "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "b", "GOOGLE_OAUTH_ACCESS_TOKEN", "g",
                "KEYWARDEN_ENV", "development");

        SecretSourceException e = parseFails(spec, env);

        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(Kind.INVALID_SPEC);
        assertThat(e.getMessage()).startsWith(spec.substring(0, spec.indexOf(':')) + ": ");
    }

    @Test
    void describeGivesSafeLabelsForAudit() {
        Map<String, String> env = Map.of("VAULT_ADDR", "https://vault.internal:8200", "VAULT_TOKEN", "hvs.x",
                "AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "sk",
                "GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.x");

        assertThat(SecretSources.parse("aws-sm:prod/anthropic", env, dir).describe()).isEqualTo("aws-sm:prod/anthropic");
        assertThat(SecretSources.parse("aws-sm:prod/anthropic#api_key", env, dir).describe()).isEqualTo("aws-sm:prod/anthropic#api_key");
        assertThat(SecretSources.parse("vault-kv:secret/anthropic/prod#api_key?version=3", env, dir).describe())
                .isEqualTo("vault-kv:secret/anthropic/prod?version=3#api_key");
        assertThat(SecretSources.parse("vault-kv:secret/anthropic/prod?version=3#api_key", env, dir).describe())
                .isEqualTo("vault-kv:secret/anthropic/prod?version=3#api_key");
        assertThat(SecretSources.parse("gcp-sm:projects/acme/secrets/anthropic", env, dir).describe())
                .isEqualTo("gcp-sm:projects/acme/secrets/anthropic/versions/latest");
        assertThat(SecretSources.parse("file:keys/anthropic", env, dir).describe())
                .isEqualTo("file:" + dir.resolve("keys/anthropic").toAbsolutePath());
        assertThat(SecretSources.parse("ENV:K", env, dir).describe()).isEqualTo("env:K");
    }

    @Test
    void tokensAndCredentialsAppearInNoLabelOrToString() {
        String vaultToken = "hvs." + TestKeys.random(30);
        String awsSecret = TestKeys.random(40);
        String gcpToken = "ya29." + TestKeys.random(40);
        Map<String, String> env = Map.of("VAULT_ADDR", "https://vault.internal:8200", "VAULT_TOKEN", vaultToken,
                "AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", awsSecret,
                "AWS_SESSION_TOKEN", awsSecret + "s", "GOOGLE_OAUTH_ACCESS_TOKEN", gcpToken);
        SourceOptions options = SourceOptions.builder().vaultToken(Secret.of(vaultToken)).gcpAccessToken(Secret.of(gcpToken))
                .vaultAddress(URI.create("https://vault.internal")).build();

        for (String spec : new String[]{"vault-kv:secret/a#k", "aws-sm:a", "gcp-sm:projects/p/secrets/s"}) {
            SecretSource s = SecretSources.parse(spec, env, dir, options);
            assertThat(s.describe() + s).doesNotContain(vaultToken).doesNotContain(awsSecret).doesNotContain(gcpToken);
        }
        assertThat(options.toString()).doesNotContain(vaultToken).doesNotContain(gcpToken).contains("[secret]");
    }

    @Test
    void endpointWithCredentialsInTheUrlIsRefused() {
        String password = TestKeys.random(16);
        SourceOptions options = SourceOptions.builder().vaultAddress(URI.create("https://user:" + password + "@vault.internal")).build();

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("vault-kv:secret/a#k", Map.of("VAULT_TOKEN", "t"), dir, options));

        assertThat(e.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("must not contain user info");
        Leaks.assertNoSecretIn(e, password);
    }
}
