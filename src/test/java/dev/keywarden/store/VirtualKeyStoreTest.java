package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
class VirtualKeyStoreTest {

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

    Database db;
    VirtualKeyStore store;

    @BeforeEach
    void open() {
        db = backend.fresh();
        store = new VirtualKeyStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static VirtualKeyRecord record(String id, String name, String prefix, String hash, long createdAt) {
        return new VirtualKeyRecord(id, name, prefix, hash, createdAt, null, null);
    }

    @Test
    void insertedKeyIsFoundByHashIdPrefixAndListed() {
        VirtualKeyRecord key = record("vk_1", "alice", "kw_AAAAAAAA", "aa11", 1_000L);
        store.insert(key);

        assertThat(store.findByHash("aa11")).contains(key);
        assertThat(store.findById("vk_1")).contains(key);
        assertThat(store.findByPrefix("kw_AAAAAAAA")).containsExactly(key);
        assertThat(store.list()).containsExactly(key);
        assertThat(store.findByHash("bb22")).isEmpty();
    }

    @Test
    void listIsOldestFirst() {
        store.insert(record("vk_b", "b", "kw_BBBBBBBB", "bb", 2_000L));
        store.insert(record("vk_a", "a", "kw_AAAAAAAA", "aa", 1_000L));
        assertThat(store.list()).extracting(VirtualKeyRecord::id).containsExactly("vk_a", "vk_b");
    }

    @Test
    void revokeKeepsTheFirstRevocationTime() {
        store.insert(record("vk_1", "alice", "kw_AAAAAAAA", "aa", 1_000L));

        assertThat(store.revoke("vk_1", 5_000L)).isTrue();
        assertThat(store.revoke("vk_1", 9_000L)).isFalse();
        assertThat(store.revoke("vk_unknown", 9_000L)).isFalse();
        assertThat(store.findById("vk_1")).get().extracting(VirtualKeyRecord::revokedAt).isEqualTo(5_000L);
    }

    @Test
    void findActiveByNameSkipsRevokedKeys() {
        store.insert(record("vk_1", "ci", "kw_AAAAAAAA", "aa", 1_000L));
        store.insert(record("vk_2", "ci", "kw_BBBBBBBB", "bb", 2_000L));
        store.insert(record("vk_3", "other", "kw_CCCCCCCC", "cc", 3_000L));
        store.revoke("vk_1", 4_000L);
        assertThat(store.findActiveByName("ci")).extracting(VirtualKeyRecord::id).containsExactly("vk_2");
    }

    @Test
    void lastUsedUpdatesInOneBatchAndNeverMoveBackwards() {
        store.insert(record("vk_1", "a", "kw_AAAAAAAA", "aa", 1_000L));
        store.insert(record("vk_2", "b", "kw_BBBBBBBB", "bb", 1_000L));

        store.updateLastUsed(Map.of("vk_1", 7_000L, "vk_2", 8_000L));
        store.updateLastUsed(Map.of("vk_1", 6_000L));

        assertThat(store.findById("vk_1")).get().extracting(VirtualKeyRecord::lastUsedAt).isEqualTo(7_000L);
        assertThat(store.findById("vk_2")).get().extracting(VirtualKeyRecord::lastUsedAt).isEqualTo(8_000L);
    }

    @Test
    void duplicateHashIsRefusedWithMessageNamingTheDatabaseButNotTheHash() {
        String hash = "c0ffee".repeat(10);
        store.insert(record("vk_1", "a", "kw_AAAAAAAA", hash, 1_000L));
        assertThatThrownBy(() -> store.insert(record("vk_2", "b", "kw_BBBBBBBB", hash, 1_000L)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(db.location())
                .hasMessageContaining("store a new virtual key")
                .hasMessageNotContaining(hash);
    }

    @Test
    void useAfterCloseFailsWithStoreExceptionNamingTheDatabase() {
        db.close();
        assertThatThrownBy(() -> store.findByHash("aa"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(db.location());
    }
}
