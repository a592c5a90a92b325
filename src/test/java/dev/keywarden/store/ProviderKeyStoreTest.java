package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.keywarden.testing.TestDatabases;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass(name = "{0}")
@EnumSource(Dialect.class)
class ProviderKeyStoreTest {

    static TestDatabases backend;

    @Parameter
    Dialect dialect;

    @BeforeParameterizedClassInvocation
    static void startBackend(Dialect dialect) {
        backend = TestDatabases.start(dialect);
    }

    @AfterParameterizedClassInvocation
    static void stopBackend() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    Database db;
    ProviderKeyStore store;

    @BeforeEach
    void open() {
        db = backend.fresh();
        store = new ProviderKeyStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static ProviderKeyRecord record(String id, KeyEnvironment env, String sha256, int priority, long createdAt) {
        return new ProviderKeyRecord(id, "label-" + id, env, new KeyScope(List.of("messages", "models"), List.of("svc:web")),
                "sk-ant-api03-…" + id.substring(id.length() - 4), sha256, ProviderKeyState.ACTIVE, priority, createdAt,
                null, null, createdAt, null, new SealedColumns("local", 1, random(48), random(120)), "env:ANTHROPIC_API_KEY");
    }

    static String sha() {
        return HexFormat.of().formatHex(random(32));
    }

    @Test
    void insertedRecordReadsBackFieldForField() {
        ProviderKeyRecord key = new ProviderKeyRecord("pk_abcd", "primary", KeyEnvironment.PROD,
                new KeyScope(List.of("messages", "count_tokens"), List.of("svc:web", "user@example.com")),
                "sk-ant-api03-…abcd", sha(), ProviderKeyState.PENDING, 3, 1_000L, 2_000L, 3_000L, 4_000L, 45,
                new SealedColumns("aws-kms:arn:x", 7, random(48), random(130)), "file:/run/secrets/anthropic");
        store.insert(key);

        assertThat(store.find("pk_abcd")).contains(key);
        assertThat(store.findByFingerprint(KeyEnvironment.PROD, key.sha256Fingerprint())).contains(key);
        assertThat(store.list()).containsExactly(key);
        assertThat(store.find("pk_none")).isEmpty();
    }

    @Test
    void aKeyWhoseRecordWasRevokedMayBeStoredAgainButOnlyOnceLive() {
        String fp = sha();
        store.insert(record("pk_0001", KeyEnvironment.PROD, fp, 0, 1_000L));
        assertThat(store.updateState("pk_0001", store.find("pk_0001").orElseThrow().state(), ProviderKeyState.REVOKED, 1_500L))
                .isTrue();

        store.insert(record("pk_0002", KeyEnvironment.PROD, fp, 0, 2_000L));

        assertThat(store.findByFingerprint(KeyEnvironment.PROD, fp)).get().extracting(ProviderKeyRecord::id).isEqualTo("pk_0002");
        assertThatThrownBy(() -> store.insert(record("pk_0003", KeyEnvironment.PROD, fp, 1, 3_000L)))
                .isInstanceOf(DuplicateProviderKeyException.class).hasMessageContaining("as pk_0002");
        assertThat(store.list()).extracting(ProviderKeyRecord::id).containsExactly("pk_0001", "pk_0002");
    }

    @Test
    void theSameKeyTwiceInOneEnvironmentIsAClearErrorButAnotherEnvironmentMayHoldIt() {
        String fp = sha();
        store.insert(record("pk_0001", KeyEnvironment.PROD, fp, 0, 1_000L));

        assertThatThrownBy(() -> store.insert(record("pk_0002", KeyEnvironment.PROD, fp, 1, 2_000L)))
                .isInstanceOf(DuplicateProviderKeyException.class)
                .hasMessageContaining("already stored for environment prod as pk_0001")
                .satisfies(e -> assertThat(((DuplicateProviderKeyException) e).existingId()).isEqualTo("pk_0001"));

        store.insert(record("pk_0003", KeyEnvironment.STAGING, fp, 0, 3_000L));
        assertThat(store.list()).extracting(ProviderKeyRecord::id).containsExactly("pk_0001", "pk_0003");
    }

    @Test
    void environmentListIsByPriorityThenOldestFirst() {
        store.insert(record("pk_0003", KeyEnvironment.DEV, sha(), 1, 1_000L));
        store.insert(record("pk_0002", KeyEnvironment.DEV, sha(), 0, 3_000L));
        store.insert(record("pk_0001", KeyEnvironment.DEV, sha(), 0, 2_000L));
        store.insert(record("pk_0004", KeyEnvironment.PROD, sha(), 0, 0L));

        assertThat(store.list(KeyEnvironment.DEV)).extracting(ProviderKeyRecord::id)
                .containsExactly("pk_0001", "pk_0002", "pk_0003");
    }

    @Test
    void stateChangeIsCompareAndSetOnTheExpectedState() {
        store.insert(record("pk_0001", KeyEnvironment.DEV, sha(), 0, 1_000L));

        assertThat(store.updateState("pk_0001", ProviderKeyState.PENDING, ProviderKeyState.REVOKED, 5_000L)).isFalse();
        assertThat(store.updateState("pk_0001", ProviderKeyState.ACTIVE, ProviderKeyState.DRAINING, 5_000L, 4_000L)).isTrue();
        assertThat(store.updateState("pk_0001", ProviderKeyState.ACTIVE, ProviderKeyState.REVOKED, 6_000L)).isFalse();

        ProviderKeyRecord now = store.find("pk_0001").orElseThrow();
        assertThat(now.state()).isEqualTo(ProviderKeyState.DRAINING);
        assertThat(now.stateChangedAt()).isEqualTo(5_000L);
        assertThat(now.rotatedAt()).isEqualTo(4_000L);
    }

    @Test
    void rewrapReplacesTheSealedColumnsOnlyIfUnchangedSinceRead() {
        ProviderKeyRecord key = record("pk_0001", KeyEnvironment.DEV, sha(), 0, 1_000L);
        store.insert(key);
        SealedColumns v2 = new SealedColumns("local", 2, random(48), key.sealed().ciphertext());
        SealedColumns v3 = new SealedColumns("local", 3, random(48), key.sealed().ciphertext());

        assertThat(store.updateSealed("pk_0001", key.sealed(), v2)).isTrue();
        assertThat(store.updateSealed("pk_0001", key.sealed(), v3)).isFalse();
        assertThat(store.find("pk_0001").orElseThrow().sealed()).isEqualTo(v2);
    }

    @Test
    void lastUsedNeverMovesBackwards() {
        store.insert(record("pk_0001", KeyEnvironment.DEV, sha(), 0, 1_000L));
        store.updateLastUsed(Map.of("pk_0001", 9_000L));
        store.updateLastUsed(Map.of("pk_0001", 8_000L, "pk_unknown", 1L));
        assertThat(store.find("pk_0001").orElseThrow().lastUsedAt()).isEqualTo(9_000L);
    }

    @Test
    void scopeMatchesARouteItsChildrenOrEverything() {
        KeyScope scope = KeyScope.ofRoutes("messages", "models");
        assertThat(scope.allowsRoute("messages")).isTrue();
        assertThat(scope.allowsRoute("models.list")).isTrue();
        assertThat(scope.allowsRoute("models.get")).isTrue();
        assertThat(scope.allowsRoute("count_tokens")).isFalse();
        assertThat(scope.allowsRoute("messagesx")).isFalse();
        assertThat(scope.allowsRoute("batches.create")).isFalse();
        assertThat(KeyScope.ALL.allowsRoute("batches.create")).isTrue();
        assertThatThrownBy(() -> KeyScope.ofRoutes("messages,models")).hasMessageContaining("invalid route");
        assertThatThrownBy(() -> KeyScope.ofRoutes()).hasMessageContaining("at least one route");
    }
}
