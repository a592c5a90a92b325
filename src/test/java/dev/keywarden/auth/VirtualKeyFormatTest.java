package dev.keywarden.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class VirtualKeyFormatTest {

    @RepeatedTest(20)
    void generatedKeyIsKwPrefixThenThirtyEightBase62Characters() {
        String key = VirtualKeyFormat.generate();
        assertThat(key).hasSize(41).matches("kw_[0-9A-Za-z]{38}");
        assertThat(key).doesNotStartWith("kw_tmp_");
        assertThat(VirtualKeyFormat.isWellFormed(key)).isTrue();
    }

    @Test
    void randomPartCarriesAtLeast190Bits() {
        double bits = VirtualKeyFormat.RANDOM_LENGTH * Math.log(VirtualKeyFormat.ALPHABET.length()) / Math.log(2);
        assertThat(bits).isGreaterThanOrEqualTo(190.0);
        assertThat(VirtualKeyFormat.ALPHABET.chars().distinct().count()).isEqualTo(62);
    }

    @Test
    void tenThousandGeneratedKeysAndPrefixesAreAllDistinct() {
        Set<String> keys = new HashSet<>();
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String key = VirtualKeyFormat.generate();
            keys.add(key);
            prefixes.add(VirtualKeyFormat.displayPrefix(key));
        }
        assertThat(keys).hasSize(10_000);
        assertThat(prefixes).hasSize(10_000);
    }

    @Test
    void everyCharacterOfTheRandomPartIsUsed() {
        Set<Character> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String key = VirtualKeyFormat.generate();
            for (char c : key.substring(3, 35).toCharArray()) {
                seen.add(c);
            }
        }
        assertThat(seen).hasSize(62);
    }

    @Test
    void checksumDetectsEverySingleCharacterChange() {
        String alphabetAndMore = VirtualKeyFormat.ALPHABET + "_-+/=. ";
        for (int n = 0; n < 5; n++) {
            String key = VirtualKeyFormat.generate();
            for (int position = 0; position < key.length(); position++) {
                for (char replacement : alphabetAndMore.toCharArray()) {
                    if (replacement == key.charAt(position)) {
                        continue;
                    }
                    String changed = key.substring(0, position) + replacement + key.substring(position + 1);
                    assertThat(VirtualKeyFormat.isWellFormed(changed))
                            .as("changing position %d to '%c'", position, replacement)
                            .isFalse();
                }
            }
        }
    }

    @Test
    void checksumDetectsSwappedNeighbours() {
        String key = VirtualKeyFormat.generate();
        for (int i = 3; i < key.length() - 1; i++) {
            if (key.charAt(i) == key.charAt(i + 1)) {
                continue;
            }
            String swapped = key.substring(0, i) + key.charAt(i + 1) + key.charAt(i) + key.substring(i + 2);
            assertThat(VirtualKeyFormat.isWellFormed(swapped)).as("swap at %d", i).isFalse();
        }
    }

    @Test
    void wrongLengthPrefixOrNullIsNotWellFormed() {
        String key = VirtualKeyFormat.generate();
        assertThat(VirtualKeyFormat.isWellFormed(null)).isFalse();
        assertThat(VirtualKeyFormat.isWellFormed("")).isFalse();
        assertThat(VirtualKeyFormat.isWellFormed(key + "a")).isFalse();
        assertThat(VirtualKeyFormat.isWellFormed(key.substring(0, 40))).isFalse();
        assertThat(VirtualKeyFormat.isWellFormed("KW_" + key.substring(3))).isFalse();
        assertThat(VirtualKeyFormat.isWellFormed(" " + key.substring(1))).isFalse();
    }

    @Test
    void displayPrefixIsKwAndTheFirstEightRandomCharacters() {
        String key = VirtualKeyFormat.generate();
        assertThat(VirtualKeyFormat.displayPrefix(key))
                .hasSize(VirtualKeyFormat.DISPLAY_PREFIX_LENGTH)
                .isEqualTo(key.substring(0, 11));
    }

    @Test
    void displayPrefixOfSomethingElseFailsWithoutRepeatingIt() {
        String almost = VirtualKeyFormat.generate().substring(0, 40) + "!";
        assertThatThrownBy(() -> VirtualKeyFormat.displayPrefix(almost))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(almost.substring(3, 20));
    }
}
