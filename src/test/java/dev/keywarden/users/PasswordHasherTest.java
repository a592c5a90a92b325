package dev.keywarden.users;

import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordHasherTest {

    private static final PasswordHasher HASHER = PasswordHasher.owaspMinimum();

    @Test
    void aHashIsAPhcStringCarryingOwaspParametersAndA128BitSalt() {
        String hash = HASHER.hash("correct horse battery".toCharArray());
        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        String[] parts = hash.split("\\$");
        assertThat(Base64.getDecoder().decode(parts[4])).hasSize(16);
        assertThat(Base64.getDecoder().decode(parts[5])).hasSize(32);
        assertThat(hash).doesNotContain("correct horse battery");
    }

    @Test
    void theSamePasswordHashesDifferentlyEachTime() {
        assertThat(HASHER.hash("correct horse battery".toCharArray())).isNotEqualTo(HASHER.hash("correct horse battery".toCharArray()));
    }

    @Test
    void verifyAcceptsTheRightPasswordOnlyAndNormalisesUnicode() {
        String hash = HASHER.hash("ﬁne café password".toCharArray()); // ligature fi, precomposed é
        assertThat(HASHER.verify("ﬁne café password".toCharArray(), hash)).isTrue();
        assertThat(HASHER.verify("fine café password".toCharArray(), hash)).as("NFKC: the ligature equals f+i").isTrue();
        assertThat(HASHER.verify("fine cafe password".toCharArray(), hash)).isFalse();
        assertThat(HASHER.verify("".toCharArray(), hash)).isFalse();
    }

    @Test
    void aMalformedOrDowngradedStoredHashNeverMatches() {
        String hash = HASHER.hash("correct horse battery".toCharArray());
        assertThat(HASHER.verify("correct horse battery".toCharArray(), "not a hash")).isFalse();
        assertThat(HASHER.verify("correct horse battery".toCharArray(), null)).isFalse();
        String weak = hash.replace("m=19456,t=2,p=1", "m=1024,t=1,p=1");
        assertThat(HASHER.verify("correct horse battery".toCharArray(), weak)).isFalse();
    }

    @Test
    void parametersBelowOwaspMinimumAreRefused() {
        assertThatThrownBy(() -> new PasswordHasher(new PasswordHasher.Params(8 * 1024, 2, 1)))
                .hasMessageContaining("below OWASP's minimum");
    }

    @Test
    void aHashMadeWithWeakerParametersNeedsRehashAndStillVerifies() {
        String old = HASHER.hash("correct horse battery".toCharArray());
        PasswordHasher stronger = new PasswordHasher(new PasswordHasher.Params(19 * 1024, 3, 1));
        assertThat(stronger.needsRehash(old)).isTrue();
        assertThat(stronger.verify("correct horse battery".toCharArray(), old)).isTrue();
        assertThat(stronger.needsRehash(stronger.hash("correct horse battery".toCharArray()))).isFalse();
        assertThat(HASHER.needsRehash(old)).isFalse();
    }
}
