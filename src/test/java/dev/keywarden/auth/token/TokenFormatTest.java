package dev.keywarden.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.log.Redactor;
import dev.keywarden.scan.Finding;
import dev.keywarden.scan.Fragment;
import dev.keywarden.scan.RuleSet;
import dev.keywarden.scan.SecretScanner;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenFormatTest {

    @Test
    void generatedTokensHaveThePrefixTheLengthAndAValidChecksum() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String token = TokenFormat.generate();
            assertThat(token).startsWith("kw_tmp_").hasSize(TokenFormat.LENGTH).matches("kw_tmp_[0-9A-Za-z]{38}");
            assertThat(TokenFormat.isWellFormed(token)).isTrue();
            assertThat(seen.add(token)).isTrue();
        }
    }

    @Test
    void randomPartCarriesAtLeast128Bits() {
        assertThat(TokenFormat.RANDOM_LENGTH * Math.log(62) / Math.log(2)).isGreaterThanOrEqualTo(128);
    }

    @Test
    void anyChangedCharacterBreaksTheChecksum() {
        String token = TokenFormat.generate();
        for (int i = TokenFormat.PREFIX.length(); i < token.length(); i++) {
            char c = token.charAt(i);
            char other = c == 'a' ? 'b' : 'a';
            String typo = token.substring(0, i) + other + token.substring(i + 1);
            assertThat(TokenFormat.isWellFormed(typo)).as("changed position %d", i).isFalse();
        }
    }

    @Test
    void malformedValuesAreRefused() {
        String token = TokenFormat.generate();
        assertThat(TokenFormat.isWellFormed(null)).isFalse();
        assertThat(TokenFormat.isWellFormed("")).isFalse();
        assertThat(TokenFormat.isWellFormed(token.substring(0, 44))).isFalse();
        assertThat(TokenFormat.isWellFormed(token + "a")).isFalse();
        assertThat(TokenFormat.isWellFormed("kw_tmq_" + token.substring(7))).isFalse();
        assertThat(TokenFormat.isWellFormed(token.substring(0, 10) + "-" + token.substring(11))).isFalse();
    }

    @Test
    void tokensAndVirtualKeysNeverPassForEachOther() {
        String token = TokenFormat.generate();
        String key = VirtualKeyFormat.generate();
        assertThat(VirtualKeyFormat.isWellFormed(token)).isFalse();
        assertThat(TokenFormat.isWellFormed(key)).isFalse();
        assertThat(TokenFormat.looksLikeToken(token)).isTrue();
        assertThat(TokenFormat.looksLikeToken(key)).isFalse();
    }

    @Test
    void theSecretScannerFindsAGeneratedTokenWithTheTemporaryTokenRuleOnly() {
        String token = TokenFormat.generate();
        List<Finding> found = new SecretScanner(RuleSet.builtIn())
                .scan(new Fragment("web/app.js", null, "const token = \"" + token + "\";\n", 1));
        assertThat(found).extracting(Finding::ruleId).containsExactly("keywarden-temporary-token");
    }

    @Test
    void theLogRedactorMasksAToken() {
        String token = TokenFormat.generate();
        assertThat(Redactor.redact("Authorization: Bearer " + token)).doesNotContain(token.substring(7, 20));
    }
}
