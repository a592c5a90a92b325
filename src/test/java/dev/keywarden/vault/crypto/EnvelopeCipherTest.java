package dev.keywarden.vault.crypto;

import static dev.keywarden.vault.crypto.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keywarden.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeCipherTest {

    @TempDir
    Path dataDir;

    private SecretCipher cipher;
    private final Map<String, byte[]> plaintexts = new LinkedHashMap<>();
    private final Map<String, SealedSecret> records = new LinkedHashMap<>();

    @BeforeEach
    void sealSomeRecords() {
        cipher = TestSeals.newLocal(dataDir).cipher();
        for (int i = 0; i < 5; i++) {
            String id = "pk_" + i;
            byte[] secret = TestKeys.canaryProviderKey().getBytes(StandardCharsets.US_ASCII);
            plaintexts.put(id, secret);
            records.put(id, cipher.seal(id, secret));
        }
    }

    @Test
    void aSealedSecretOpensForItsOwnRecord() {
        records.forEach((id, sealed) -> assertThat(cipher.open(id, sealed)).isEqualTo(plaintexts.get(id)));
        assertThat(cipher.sealed()).isFalse();
    }

    @Test
    void everySealUsesAFreshDataKeyAndNonce() {
        byte[] secret = plaintexts.get("pk_0");
        SealedSecret a = cipher.seal("pk_0", secret);
        SealedSecret b = cipher.seal("pk_0", secret);
        assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
        assertThat(a.wrappedDataKey()).isNotEqualTo(b.wrappedDataKey());
        assertThat(a.kekId()).startsWith("local:");
        assertThat(a.kekVersion()).isEqualTo(1);
        assertThat(new String(a.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain(new String(secret, StandardCharsets.US_ASCII));
    }

    @Test
    void flippingOneByteOfTheCiphertextFailsClearlyAndEveryOtherRecordStillOpens() {
        SealedSecret original = records.get("pk_2");
        for (int i = 0; i < original.ciphertext().length; i++) {
            byte[] ct = original.ciphertext().clone();
            ct[i] ^= 0x01;
            SealedSecret tampered = new SealedSecret(original.kekId(), original.kekVersion(), original.wrappedDataKey(), ct);
            VaultException e = catchThrowableOfType(VaultException.class, () -> cipher.open("pk_2", tampered));
            assertThat(e).hasMessageStartingWith("ciphertext does not belong to record pk_2 or was altered");
            assertNoSecretIn(e, plaintexts.get("pk_2"));
        }
        assertEveryRecordOpens();
    }

    @Test
    void flippingOneByteOfTheWrappedDataKeyFailsClearlyAndEveryOtherRecordStillOpens() {
        SealedSecret original = records.get("pk_3");
        for (int i = 0; i < original.wrappedDataKey().length; i++) {
            byte[] wrapped = original.wrappedDataKey().clone();
            wrapped[i] ^= (byte) 0x80;
            SealedSecret tampered = new SealedSecret(original.kekId(), original.kekVersion(), wrapped, original.ciphertext());
            VaultException e = catchThrowableOfType(VaultException.class, () -> cipher.open("pk_3", tampered));
            assertThat(e).hasMessageStartingWith("ciphertext does not belong to record pk_3 or was altered")
                    .hasMessageContaining("wrapped data key");
            assertNoSecretIn(e, plaintexts.get("pk_3"));
        }
        assertEveryRecordOpens();
    }

    @Test
    void ciphertextMovedToAnotherRecordFailsToOpen() {
        SealedSecret fromRecord1 = records.get("pk_1");
        VaultException e = catchThrowableOfType(VaultException.class, () -> cipher.open("pk_4", fromRecord1));
        assertThat(e).hasMessageStartingWith("ciphertext does not belong to record pk_4 or was altered");
        assertNoSecretIn(e, plaintexts.get("pk_1"), plaintexts.get("pk_4"));

        // only the secret moved, the data key stayed: still refused
        SealedSecret mixed = new SealedSecret(records.get("pk_4").kekId(), 1, records.get("pk_4").wrappedDataKey(), fromRecord1.ciphertext());
        assertThatThrownBy(() -> cipher.open("pk_4", mixed)).isInstanceOf(VaultException.class)
                .hasMessageContaining("does not belong to record pk_4");
        assertEveryRecordOpens();
    }

    @Test
    void aRecordFromAnotherVaultFailsAsWrongKek(@TempDir Path otherDir) {
        SecretCipher other = TestSeals.newLocal(otherDir).cipher();
        SealedSecret foreign = other.seal("pk_0", plaintexts.get("pk_0"));
        assertThatThrownBy(() -> cipher.open("pk_0", foreign)).isInstanceOf(VaultException.class)
                .hasMessageContaining("record pk_0 was sealed under KEK '" + foreign.kekId() + "'")
                .hasMessageContaining("wrong KEK");

        // even with the KEK id forged to look like ours, the data key does not open
        SealedSecret forged = new SealedSecret(records.get("pk_0").kekId(), 1, foreign.wrappedDataKey(), foreign.ciphertext());
        VaultException e = catchThrowableOfType(VaultException.class, () -> cipher.open("pk_0", forged));
        assertThat(e).hasMessageContaining("does not belong to record pk_0 or was altered");
        assertNoSecretIn(e, plaintexts.get("pk_0"));
    }

    @Test
    void aKekVersionTheRingNeverHadFailsClearly() {
        SealedSecret s = records.get("pk_0");
        SealedSecret future = new SealedSecret(s.kekId(), 7, s.wrappedDataKey(), s.ciphertext());
        assertThatThrownBy(() -> cipher.open("pk_0", future)).isInstanceOf(VaultException.class)
                .hasMessageContaining("record pk_0").hasMessageContaining("KEK version 7");
    }

    @Test
    void rewrapUnderTheCurrentVersionReturnsTheRecordUnchanged() {
        SealedSecret s = records.get("pk_0");
        assertThat(cipher.rewrap("pk_0", s)).isSameAs(s);
    }

    @Test
    void aRecordIdIsRequired() {
        assertThatThrownBy(() -> cipher.seal(" ", new byte[] {1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record id");
    }

    @Test
    void sealedSecretToStringShowsNoBytes() {
        SealedSecret s = records.get("pk_0");
        assertThat(s.toString()).contains("local:").contains("v1");
        assertNoSecretIn(new VaultException(s.toString()), s.ciphertext(), s.wrappedDataKey());
    }

    private void assertEveryRecordOpens() {
        records.forEach((id, sealed) -> assertThat(cipher.open(id, sealed)).isEqualTo(plaintexts.get(id)));
    }
}
