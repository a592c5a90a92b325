package dev.keywarden.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretScannerTest {

    private final SecretScanner scanner = new SecretScanner(RuleSet.builtIn());

    @TempDir
    Path tmp;

    private List<Finding> scan(String text) {
        return scanner.scan(new Fragment("app/config.txt", null, text, 1));
    }

    @Test
    void findingShowsOnlyThePublicPrefixAndLastFourCharactersOfTheSecret() {
        String key = SecretSamples.anthropicApiKey();

        Finding f = scan("ANTHROPIC_API_KEY=" + key).getFirst();

        assertThat(f.ruleId()).isEqualTo("anthropic-api-key");
        assertThat(f.masked()).isEqualTo("sk-ant-api03-..." + key.substring(key.length() - 4));
        assertThat(f.toString()).doesNotContain(key.substring(13, 30));
        assertThat(f.fingerprint()).startsWith("anthropic-api-key:app/config.txt:").doesNotContain(key.substring(13));
    }

    @Test
    void noFindingOfAnyRuleHoldsEightConsecutiveCharactersOfTheSecretBeyondItsPublicPrefix() {
        List<String> secrets = List.of(SecretSamples.anthropicApiKey(), SecretSamples.anthropicAdminKey(),
                SecretSamples.anthropicOauthToken(), SecretSamples.kwVirtualKey(), SecretSamples.kwTemporaryToken(),
                SecretSamples.awsAccessKeyId(), SecretSamples.githubPat(), SecretSamples.githubFineGrainedPat(),
                SecretSamples.gitlabPat(), SecretSamples.slackBotToken(), SecretSamples.googleApiKey(),
                SecretSamples.stripeSecretKey(), SecretSamples.privateKeyPem(), SecretSamples.jwt());
        for (String secret : secrets) {
            List<Finding> found = scan("value: " + secret + "\n");
            assertThat(found).as("a finding for a generated secret").hasSize(1);
            Finding f = found.getFirst();
            String shown = f.toString();
            String prefix = scanner.rules().rule(f.ruleId()).publicPrefix(secret);
            String hidden = secret.substring(prefix.length());
            for (int i = 0; i + 8 <= hidden.length() - 4; i++) {
                assertThat(shown).as("%s leaks part of the secret", f.ruleId()).doesNotContain(hidden.substring(i, i + 8));
            }
        }
    }

    @Test
    void kwVirtualKeyIsReportedOnlyWhenItsChecksumMatches() {
        String real = SecretSamples.kwVirtualKey();
        String lookalike = SecretSamples.kwLookalike();

        assertThat(scan("key " + real)).extracting(Finding::ruleId).containsExactly("keywarden-virtual-key");
        assertThat(scan("key " + lookalike)).isEmpty();
    }

    @Test
    void lineWithTheInlineAllowMarkerIsNotReportedButTheNextLineIs() {
        String a = SecretSamples.githubPat();
        String b = SecretSamples.githubPat();

        List<Finding> found = scan("token " + a + " # keywarden:allow test fixture\ntoken " + b + "\n");

        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.line()).isEqualTo(2);
            assertThat(f.column()).isEqualTo(7);
            assertThat(f.masked()).endsWith(b.substring(b.length() - 4));
        });
    }

    @Test
    void specificRuleWinsOverTheGenericRuleForTheSameSecret() {
        assertThat(scan("api_key = \"" + SecretSamples.stripeSecretKey() + "\""))
                .extracting(Finding::ruleId).containsExactly("stripe-secret-key");
    }

    @Test
    void lineAndColumnAreReportedRelativeToTheFragmentsFirstLine() {
        Finding f = scanner.scan(new Fragment("a.txt", "c0ffee", "x\n  " + SecretSamples.awsAccessKeyId(), 41)).getFirst();

        assertThat(f.line()).isEqualTo(42);
        assertThat(f.column()).isEqualTo(3);
        assertThat(f.commit()).isEqualTo("c0ffee");
    }

    @Test
    void userRulesAddReplaceAndDisableBuiltInRules() throws Exception {
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, """
                allowlist:
                  paths: ['^fixtures/']
                rules:
                  - id: acme-token
                    description: ACME deploy token
                    regex: '(acme_[a-z0-9]{20})'
                    keywords: [acme_]
                  - id: aws-access-key-id
                    disabled: true
                """);
        SecretScanner custom = new SecretScanner(RuleSet.builtIn().withOverrides(rules));
        String acme = "acme_" + SecretSamples.random("abcdefghijklmnopqrstuvwxyz0123456789", 20);

        assertThat(custom.scan(new Fragment("x.txt", null, acme + " " + SecretSamples.awsAccessKeyId(), 1)))
                .extracting(Finding::ruleId).containsExactly("acme-token");
        assertThat(custom.scan(new Fragment("fixtures/x.txt", null, acme, 1))).isEmpty();
        assertThat(custom.rules().rule("anthropic-api-key")).isNotNull();
    }

    @Test
    void rulesFileWithABadRegexIsRejectedNamingTheFileAndTheRule() throws Exception {
        Path rules = tmp.resolve("bad.yaml");
        Files.writeString(rules, "rules:\n  - id: broken\n    regex: '(unclosed'\n    keywords: [x]\n");

        assertThatThrownBy(() -> RuleSet.builtIn().withOverrides(rules))
                .isInstanceOf(RuleSet.InvalidRulesException.class)
                .hasMessageContaining(rules.toString()).hasMessageContaining("rule broken").hasMessageContaining("invalid regex");
    }

    @Test
    void ruleWithoutKeywordsIsRejectedBecauseThePreFilterNeedsOne() throws Exception {
        Path rules = tmp.resolve("nokw.yaml");
        Files.writeString(rules, "rules:\n  - id: nokw\n    regex: 'abc'\n");

        assertThatThrownBy(() -> RuleSet.builtIn().withOverrides(rules)).hasMessageContaining("'keywords' is empty");
    }

    @Test
    void patchParserReportsAddedRunsWithTheirNewLineNumbersAndSkipsRemovedLines() {
        List<Fragment> out = new java.util.ArrayList<>();
        PatchParser p = new PatchParser(out::add, c -> { }, 1 << 20);
        for (String line : List.of("\0abc123", "diff --git a/f.txt b/f.txt", "index 1..2 100644", "--- a/f.txt", "+++ b/f.txt",
                "@@ -3,2 +3,3 @@", "-old one", "-old two", "+new three", "+new four", "++++ five", "@@ -10 +11,0 @@", "-gone",
                "diff --git a/g.txt b/g.txt", "deleted file mode 100644", "--- a/g.txt", "+++ /dev/null", "@@ -1 +0,0 @@", "-bye")) {
            p.line(line);
        }
        p.finish();

        assertThat(out).containsExactly(new Fragment("f.txt", "abc123", "new three\nnew four\n+++ five", 3));
    }

    @Test
    void patchParserTakesFromAMergeOnlyTheLinesNewAgainstEveryParent() {
        List<Fragment> out = new java.util.ArrayList<>();
        PatchParser p = new PatchParser(out::add, c -> { }, 1 << 20);
        for (String line : List.of("\0merge1", "diff --cc app.env", "index aaa,bbb..ccc", "--- a/app.env", "+++ b/app.env",
                "@@@ -2,1 -2,1 +2,3 @@@", " -from side", "++resolved by hand", " +from main", "++++ also new",
                "@@@@ -9,0 -9,0 -9,0 +10,1 @@@@", "+++new in an octopus")) {
            p.line(line);
        }
        p.finish();

        assertThat(out).containsExactly(new Fragment("app.env", "merge1", "resolved by hand", 2),
                new Fragment("app.env", "merge1", "++ also new", 4), new Fragment("app.env", "merge1", "new in an octopus", 10));
    }

    @Test
    void patchParserHandsOverBinaryChangesWithTheirBlobIds() {
        List<PatchParser.BinaryChange> out = new java.util.ArrayList<>();
        PatchParser p = new PatchParser(f -> { }, c -> { }, 1 << 20).onBinary(out::add);
        for (String line : List.of("\0c1", "diff --git a/my script.ps1 b/my script.ps1", "index 1111..2222 100644",
                "Binary files a/my script.ps1 and b/my script.ps1 differ", "diff --git a/gone.bin b/gone.bin",
                "deleted file mode 100644", "index 3333..0000", "Binary files a/gone.bin and /dev/null differ")) {
            p.line(line);
        }
        p.finish();

        assertThat(out).containsExactly(new PatchParser.BinaryChange("c1", "my script.ps1", "2222", List.of("1111")));
    }

    @Test
    void utf16IsRecognisedByItsByteOrderMarkOrItsNulPatternButOrdinaryBinaryIsNot() {
        assertThat(Utf16.decode(new byte[] {(byte) 0xFF, (byte) 0xFE, 'h', 0, 'i', 0})).isEqualTo("hi");
        assertThat(Utf16.decode(new byte[] {(byte) 0xFE, (byte) 0xFF, 0, 'h', 0, 'i'})).isEqualTo("hi");
        assertThat(Utf16.decode("plain ascii".getBytes(java.nio.charset.StandardCharsets.UTF_16LE))).isEqualTo("plain ascii");
        assertThat(Utf16.decode(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 'I', 'H', 'D', 'R'})).isNull();
        assertThat(Utf16.decode(new byte[] {'a', 0, 'b'})).isNull();
    }

    @Test
    void binaryFilesAreRecognisedByANulByteNearTheStart() {
        assertThat(FileScanner.isBinary(new byte[] {'a', 0, 'b'})).isTrue();
        assertThat(FileScanner.isBinary("plain text\n".getBytes())).isFalse();
    }
}
