package dev.keywarden.guard;

import dev.keywarden.testing.TestKeys;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The stream redactor reads each delta once for keywords and runs the detector only near one, with the same output. */
class StreamingRedactorCostTest {

    private record Run(List<String> out, List<String> found, int scans) {
    }

    private static Run run(List<String> deltas, boolean alwaysScan) {
        List<String> found = new ArrayList<>();
        StreamingRedactor<String> r = new StreamingRedactor<>(SecretDetector.builtIn(), true,
                (rule, offset, redacted) -> found.add(rule + "@" + offset + ":" + redacted), alwaysScan);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < deltas.size(); i++) {
            r.accept("e" + i, deltas.get(i)).forEach(rel -> out.add(rel.payload() != null ? rel.payload() : "[" + rel.text() + "]"));
        }
        r.flush().forEach(rel -> out.add(rel.payload() != null ? rel.payload() : "[" + rel.text() + "]"));
        return new Run(out, found, r.scans());
    }

    private static List<String> split(String text, Random random) {
        List<String> deltas = new ArrayList<>();
        for (int at = 0; at < text.length(); ) {
            int n = Math.min(text.length() - at, 1 + random.nextInt(12));
            deltas.add(text.substring(at, at + n));
            at += n;
        }
        return deltas;
    }

    @Test
    void aLongStreamWithoutKeywordsNeverRunsTheDetector() {
        String prose = "The quick brown fox jumps over the lazy dog while the river runs on, and then it rests. ".repeat(200);
        Run run = run(split(prose, new Random(1)), false);
        assertThat(run.scans()).isZero();
        assertThat(run.found()).isEmpty();
        assertThat(run.out()).hasSize(split(prose, new Random(1)).size()); // every delta released as it came
    }

    @Test
    void theDetectorRunsOnlyWhileAKeywordIsInItsLookBack() {
        String text = "Nothing here. ".repeat(50) + "The api_key = " + "Zx9".repeat(8) + "Qw and more words follow. "
                + "Nothing here either. ".repeat(50);
        Run shortcut = run(split(text, new Random(2)), false);
        Run reference = run(split(text, new Random(2)), true);
        assertThat(shortcut.scans()).isPositive().isLessThan(reference.scans() / 5);
    }

    @Test
    void keywordShortcutGivesTheSameReleasesAndFindingsAsScanningEveryTime() {
        String key = TestKeys.canaryProviderKey();
        String[] bodies = {
            "Here is the key " + key + " — keep it safe. Also token: ghp_" + "a1B2c3D4e5".repeat(3) + "Zz9Yy8 and done.",
            "config:\npassword = \"" + "Q7w!e9R2t5Y8u1".replace("!", "x") + "zzZZ\"\nsecret_token=" + "kT3mP9vX2qL7".repeat(2) + "\nbye",
            "-----BEGIN RSA PRIVATE KEY-----\n" + "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7Mhgw".repeat(3)
                    + "\n-----END RSA PRIVATE KEY-----\nthat was the key",
            "no secrets at all, just a key word and a token word and a secret word in prose.",
        };
        Random random = new Random(16);
        for (String body : bodies) {
            for (int trial = 0; trial < 40; trial++) {
                long seed = random.nextLong();
                Run shortcut = run(split(body, new Random(seed)), false);
                Run reference = run(split(body, new Random(seed)), true);
                assertThat(shortcut.out()).as(body).isEqualTo(reference.out());
                assertThat(shortcut.found()).as(body).isEqualTo(reference.found());
            }
        }
    }
}
