package dev.keywarden.vault.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KekRotationTest {

    @TempDir
    Path dataDir;

    @Test
    void rotateAndRewrapTwoHundredRecordsThenRetireTheOldVersion() {
        VaultSeal seal = TestSeals.newLocal(dataDir);
        SecretCipher cipher = seal.cipher();
        Map<String, byte[]> plaintexts = new LinkedHashMap<>();
        Map<String, SealedSecret> records = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            String id = "pk_" + i;
            byte[] secret = TestKeys.canaryProviderKey().getBytes(StandardCharsets.US_ASCII);
            plaintexts.put(id, secret);
            records.put(id, cipher.seal(id, secret));
        }
        SealedSecret keptOnOldVersion = records.get("pk_0");

        assertThat(seal.ring().rotate()).isEqualTo(2);
        assertThat(seal.ring().versions()).containsExactly(1, 2);
        // before the rewrap, records on v1 still open; new records go to v2
        assertThat(cipher.open("pk_7", records.get("pk_7"))).isEqualTo(plaintexts.get("pk_7"));
        assertThat(cipher.seal("new", new byte[] {1, 2, 3}).kekVersion()).isEqualTo(2);

        records.replaceAll((id, sealed) -> {
            SealedSecret rewrapped = cipher.rewrap(id, sealed);
            assertThat(rewrapped.kekVersion()).isEqualTo(2);
            assertThat(rewrapped.ciphertext()).isEqualTo(sealed.ciphertext()); // the secret itself was not re-encrypted
            assertThat(rewrapped.wrappedDataKey()).isNotEqualTo(sealed.wrappedDataKey());
            return rewrapped;
        });
        records.forEach((id, sealed) -> assertThat(cipher.open(id, sealed)).isEqualTo(plaintexts.get(id)));

        seal.ring().retire(1);
        assertThat(seal.ring().versions()).containsExactly(2);
        records.forEach((id, sealed) -> assertThat(cipher.open(id, sealed)).isEqualTo(plaintexts.get(id)));
        assertThatThrownBy(() -> cipher.open("pk_0", keptOnOldVersion)).isInstanceOf(VaultException.class)
                .hasMessageContaining("record pk_0 is wrapped by KEK version 1, which was retired");

        // the rotation and the retirement were persisted: a fresh process opens everything
        VaultSeal reopened = VaultSeal.local(dataDir);
        assertThat(reopened.ring().currentVersion()).isEqualTo(2);
        assertThat(reopened.ring().versions()).containsExactly(2);
        records.forEach((id, sealed) -> assertThat(reopened.cipher().open(id, sealed)).isEqualTo(plaintexts.get(id)));
    }

    @Test
    void recordsSealedByConcurrentThreadsWhileTheKekRotatesAllOpenAfterwards() throws Exception {
        VaultSeal seal = TestSeals.newLocal(dataDir);
        Map<String, SealedSecret> records = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, byte[]> plaintexts = new java.util.concurrent.ConcurrentHashMap<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        String id = "pk_" + thread + "_" + i;
                        byte[] secret = TestKeys.random(40).getBytes(StandardCharsets.US_ASCII);
                        plaintexts.put(id, secret);
                        records.put(id, seal.cipher().seal(id, secret));
                        assertThat(seal.cipher().open(id, records.get(id))).isEqualTo(secret);
                    }
                }));
            }
            for (int r = 0; r < 3; r++) {
                seal.ring().rotate();
            }
            for (var f : futures) {
                f.get();
            }
        }
        assertThat(records).hasSize(200);
        records.forEach((id, sealed) -> assertThat(seal.cipher().open(id, seal.cipher().rewrap(id, sealed))).isEqualTo(plaintexts.get(id)));
    }

    @Test
    void theCurrentVersionCannotBeRetired() {
        KekRing ring = TestSeals.newLocal(dataDir).ring();
        assertThatThrownBy(() -> ring.retire(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KEK version 1 is current");
        assertThatThrownBy(() -> ring.retire(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KEK version 5 is not in the key ring");
    }

    @Test
    void rewrapMovesARecordAcrossSeveralRotations() {
        VaultSeal seal = TestSeals.newLocal(dataDir);
        byte[] secret = TestKeys.canaryProviderKey().getBytes(StandardCharsets.US_ASCII);
        SealedSecret sealed = seal.cipher().seal("pk", secret);
        seal.ring().rotate();
        seal.ring().rotate();
        SealedSecret rewrapped = seal.cipher().rewrap("pk", sealed);
        assertThat(rewrapped.kekVersion()).isEqualTo(3);
        seal.ring().retire(1);
        seal.ring().retire(2);
        assertThat(seal.cipher().open("pk", rewrapped)).isEqualTo(secret);
    }

    @Test
    void rewrapRefusesARecordMovedToAnotherId() {
        VaultSeal seal = TestSeals.newLocal(dataDir);
        SealedSecret sealed = seal.cipher().seal("pk_a", new byte[] {9, 9, 9});
        seal.ring().rotate();
        assertThatThrownBy(() -> seal.cipher().rewrap("pk_b", sealed)).isInstanceOf(VaultException.class)
                .hasMessageStartingWith("ciphertext does not belong to record pk_b or was altered");
    }
}
