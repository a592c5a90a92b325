package dev.keywarden.vault.source;

import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.source.SecretSourceException.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** HashiCorp Vault KV v2 against a local stand-in of Vault's documented HTTP API (not a real Vault). */
class VaultKvSourceTest {

    @TempDir
    Path dir;

    private final String key = TestKeys.canaryProviderKey();
    private final String token = "hvs." + TestKeys.random(40);
    private StandIn vault;
    private Map<String, String> env;

    /** The documented KV v2 read answer. */
    private static String kvAnswer(String dataJson, int version) {
        return "{\"request_id\":\"r1\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,\"data\":{\"data\":" + dataJson
                + ",\"metadata\":{\"created_time\":\"2024-05-01T12:00:00Z\",\"custom_metadata\":null,\"deletion_time\":\"\","
                + "\"destroyed\":false,\"version\":" + version + "}},\"wrap_info\":null,\"warnings\":null,\"auth\":null}";
    }

    @BeforeEach
    void start() throws IOException {
        vault = StandIn.start((req, ex) -> {
            if (!token.equals(req.header("X-Vault-Token"))) {
                StandIn.json(ex, 403, "{\"errors\":[\"permission denied\"]}");
            } else if (req.method().equals("GET") && req.path().equals("/v1/secret/data/anthropic/prod")) {
                StandIn.json(ex, 200, kvAnswer("{\"api_key\":\"" + key + "\",\"owner\":\"platform\"}", 3));
            } else {
                StandIn.json(ex, 404, "{\"errors\":[]}");
            }
        });
        env = new HashMap<>(Map.of("VAULT_ADDR", vault.uri().toString(), "VAULT_TOKEN", token));
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private SecretSource parse(String spec) {
        return SecretSources.parse(spec, env, dir);
    }

    private SecretSourceException fetchFails(String spec) {
        SecretSourceException e = catchThrowableOfType(SecretSourceException.class, () -> parse(spec).fetch());
        assertThat(e).as("fetch of " + spec + " fails").isNotNull();
        Leaks.assertNoSecretIn(e, key, token);
        return e;
    }

    @Test
    void fieldIsReadFromTheKvV2DataPathWithTheVaultToken() {
        byte[] value = parse("vault-kv:secret/anthropic/prod#api_key").fetch();

        assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo(key);
        StandIn.Seen req = vault.last();
        assertThat(req.method()).isEqualTo("GET");
        assertThat(req.path()).isEqualTo("/v1/secret/data/anthropic/prod");
        assertThat(req.rawQuery()).isNull();
        assertThat(req.header("X-Vault-Token")).isEqualTo(token);
        assertThat(req.header("X-Vault-Namespace")).isNull();
    }

    @Test
    void versionIsSentAsTheDocumentedQueryParameterInEitherSpecOrder() {
        parse("vault-kv:secret/anthropic/prod#api_key?version=2").fetch();
        assertThat(vault.last().rawQuery()).isEqualTo("version=2");

        parse("vault-kv:secret/anthropic/prod?version=7#api_key").fetch();
        assertThat(vault.last().rawQuery()).isEqualTo("version=7");
    }

    @Test
    void namespaceHeaderIsSentWhenVaultNamespaceIsSet() {
        env.put("VAULT_NAMESPACE", "team-a");

        parse("vault-kv:secret/anthropic/prod#api_key").fetch();

        assertThat(vault.last().header("X-Vault-Namespace")).isEqualTo("team-a");
    }

    @Test
    void singleFieldSecretNeedsNoFieldName() {
        vault.reply((req, ex) -> StandIn.json(ex, 200, kvAnswer("{\"value\":\"" + key + "\\n\"}", 1)));

        assertThat(new String(parse("vault-kv:secret/one").fetch(), StandardCharsets.UTF_8)).isEqualTo(key);
    }

    @Test
    void severalFieldsWithoutAFieldNameListTheFieldNames() {
        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/prod");

        assertThat(e.getMessage()).contains("2 fields").contains("api_key").contains("owner").contains("#field");
    }

    @Test
    void wrongTokenGivesPermissionDeniedWithTheFix() {
        env.put("VAULT_TOKEN", "hvs." + TestKeys.random(40));
        String wrong = env.get("VAULT_TOKEN");

        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/prod#api_key");

        assertThat(e.kind()).isEqualTo(Kind.DENIED);
        assertThat(e.getMessage()).startsWith("vault-kv:secret/anthropic/prod#api_key: permission denied (Vault answered 403: permission denied)")
                .contains("renew the token or grant read on that path");
        Leaks.assertNoSecretIn(e, wrong);
    }

    @Test
    void unknownPathIsSecretNotFound() {
        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/staging#api_key");

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("secret not found").contains("/v1/secret/data/anthropic/staging")
                .contains("KV version 2 mount");
    }

    @Test
    void missingFieldIsNamedWithTheFieldsThatExist() {
        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/prod#apikey");

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("no field 'apikey'").contains("api_key, owner");
    }

    @Test
    void nonStringFieldIsRefusedWithoutShowingIt() {
        vault.reply((req, ex) -> StandIn.json(ex, 200, kvAnswer("{\"api_key\":{\"nested\":\"" + key + "\"}}", 1)));

        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/prod#api_key");

        assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("field 'api_key' is an object, not a string");
    }

    @Test
    void deletedVersionIsReportedAsSuch() {
        vault.reply((req, ex) -> StandIn.json(ex, 200, "{\"data\":{\"data\":null,\"metadata\":{\"deletion_time\":"
                + "\"2024-05-02T00:00:00Z\",\"destroyed\":false,\"version\":2}}}"));

        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/prod#api_key?version=2");

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("deleted or destroyed");
    }

    @Test
    void badJsonIsReportedWithoutQuotingTheBody() {
        vault.reply((req, ex) -> StandIn.json(ex, 200, "{\"data\":{\"data\":{\"api_key\":\"" + key + "\""));

        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/prod#api_key");

        assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("not JSON");
    }

    @Test
    void kvVersion1AnswerIsExplained() {
        vault.reply((req, ex) -> StandIn.json(ex, 200, "{\"data\":{\"api_key\":\"" + key + "\"}}"));

        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/prod#api_key");

        assertThat(e.getMessage()).contains("KV version 1");
    }

    @Test
    void sealedVaultIsUnavailable() {
        vault.reply((req, ex) -> StandIn.json(ex, 503, "{\"errors\":[\"Vault is sealed\"]}"));

        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/prod#api_key");

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("sealed").contains("Vault is sealed");
    }

    @Test
    void slowVaultTimesOutWithAClearMessage() {
        vault.reply((req, ex) -> {
            Thread.sleep(3_000);
            StandIn.json(ex, 200, kvAnswer("{\"api_key\":\"" + key + "\"}", 1));
        });
        SourceOptions options = SourceOptions.builder().timeout(Duration.ofMillis(300)).build();
        long started = System.nanoTime();

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("vault-kv:secret/anthropic/prod#api_key", env, dir, options).fetch());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("no answer from Vault at 127.0.0.1:").contains("within 300 ms");
        Leaks.assertNoSecretIn(e, key, token);
    }

    @Test
    void unreachableVaultSaysItCannotConnect() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        env.put("VAULT_ADDR", "http://127.0.0.1:" + closedPort);

        SecretSourceException e = fetchFails("vault-kv:secret/anthropic/prod#api_key");

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("cannot connect to Vault at 127.0.0.1:" + closedPort);
    }

    @Test
    void missingAddressOrTokenIsAConfigurationErrorAtParseTime() {
        SecretSourceException noAddr = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("vault-kv:secret/a#k", Map.of("VAULT_TOKEN", token), dir));
        SecretSourceException noToken = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("vault-kv:secret/a#k", Map.of("VAULT_ADDR", "https://vault.internal"), dir));

        assertThat(noAddr.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(noAddr.getMessage()).contains("VAULT_ADDR is not set");
        assertThat(noToken.getMessage()).contains("VAULT_TOKEN is not set").contains("read on secret/data/a");
        Leaks.assertNoSecretIn(noAddr, token);
    }

    @Test
    void plainHttpToARemoteHostWarns() {
        List<String> warnings = new ArrayList<>();

        SecretSources.parse("vault-kv:secret/a#k", Map.of(), dir, SourceOptions.builder()
                .vaultAddress(URI.create("http://vault.example.com:8200")).vaultToken(dev.keywarden.config.Secret.of(token))
                .warnings(warnings::add).build());

        assertThat(warnings).singleElement().asString().contains("plain http").contains("vault.example.com").doesNotContain(token);
    }

    @Test
    void nothingSecretReachesTheLogEvenAtDebug() {
        try (LogCapture log = LogCapture.startDebugEverything()) {
            parse("vault-kv:secret/anthropic/prod#api_key").fetch();
            catchThrowableOfType(SecretSourceException.class, () -> parse("vault-kv:secret/anthropic/prod#nope").fetch());
            env.put("VAULT_TOKEN", "hvs." + TestKeys.random(40));
            catchThrowableOfType(SecretSourceException.class, () -> parse("vault-kv:secret/anthropic/prod#api_key").fetch());

            assertThat(log.text()).doesNotContain(key).doesNotContain(token).doesNotContain(env.get("VAULT_TOKEN"));
        }
    }
}
