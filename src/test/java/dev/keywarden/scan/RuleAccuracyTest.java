package dev.keywarden.scan;

import static dev.keywarden.scan.SecretSamples.BASE62;
import static dev.keywarden.scan.SecretSamples.random;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The accuracy corpus: for every built-in rule, true positives (secrets generated at run time in
 * typical contexts) and false positives (lookalikes: truncated, placeholder, wrong checksum,
 * low entropy, code that merely names a key). Prints precision and recall per rule and asserts
 * the minimums.
 */
class RuleAccuracyTest {

    private static final int PER_TEMPLATE = 40;
    private static final List<String> CONTEXTS = List.of(
            "KEY=%s", "const key = \"%s\";", "  \"credential\": '%s',", "see %s in the log", "<td>%s</td>");

    record Sample(String rule, boolean positive, String text) {
    }

    record Score(int tp, int fn, int fp) {
        double precision() {
            return tp + fp == 0 ? 1 : (double) tp / (tp + fp);
        }

        double recall() {
            return tp + fn == 0 ? 1 : (double) tp / (tp + fn);
        }
    }

    private final List<Sample> corpus = new ArrayList<>();

    private void positives(String rule, Supplier<String> secret) {
        for (String ctx : CONTEXTS) {
            for (int i = 0; i < PER_TEMPLATE / CONTEXTS.size() + 1; i++) {
                corpus.add(new Sample(rule, true, ctx.formatted(secret.get())));
            }
        }
    }

    private void positivesIn(String rule, List<String> contexts, Supplier<String> secret) {
        for (String ctx : contexts) {
            for (int i = 0; i < PER_TEMPLATE / contexts.size() + 1; i++) {
                corpus.add(new Sample(rule, true, ctx.formatted(secret.get())));
            }
        }
    }

    private void negatives(String rule, Supplier<String> text) {
        for (int i = 0; i < PER_TEMPLATE / 4; i++) {
            corpus.add(new Sample(rule, false, text.get()));
        }
    }

    private void buildCorpus() {
        positives("anthropic-api-key", SecretSamples::anthropicApiKey);
        negatives("anthropic-api-key", () -> "sk-ant-" + "api03-" + random(SecretSamples.BASE64URL, 40));
        negatives("anthropic-api-key", () -> "ANTHROPIC_API_KEY=sk-ant-" + "api03-...");
        negatives("anthropic-api-key", () -> "sk-ant-" + "api03-" + random(BASE62, 93) + "AB");

        positives("anthropic-admin-key", SecretSamples::anthropicAdminKey);
        negatives("anthropic-admin-key", () -> "sk-ant-" + "admin01-" + random(BASE62, 50));

        positives("anthropic-oauth-token", SecretSamples::anthropicOauthToken);
        negatives("anthropic-oauth-token", () -> "CLAUDE_CODE_OAUTH_TOKEN=sk-ant-" + "oat01-<your token>");

        positives("keywarden-admin-token", SecretSamples::kwAdminToken);
        positives("keywarden-admin-token", SecretSamples::kwLegacyAdminToken);
        negatives("keywarden-admin-token", SecretSamples::kwAdminLookalike);
        negatives("keywarden-admin-token", () -> "KEYWARDEN_ADMIN_TOKEN=kwadm_" + "x".repeat(43));
        negatives("keywarden-admin-token", () -> "send it as Authorization: Bearer kwadm_" + "...");
        negatives("keywarden-admin-token", () -> "prefix kwadm_" + random(BASE62, 8) + " in the listing");

        positives("keywarden-virtual-key", SecretSamples::kwVirtualKey);
        negatives("keywarden-virtual-key", SecretSamples::kwLookalike);
        negatives("keywarden-virtual-key", () -> "kw_" + random(BASE62, 38));
        negatives("keywarden-virtual-key", () -> "kw_" + random(BASE62, 12) + " is the display prefix");

        positives("keywarden-temporary-token", SecretSamples::kwTemporaryToken);
        negatives("keywarden-temporary-token", () -> "kw_" + "tmp_" + "a".repeat(32));
        negatives("keywarden-temporary-token", () -> "tokens look like kw_" + "tmp_...");

        positives("aws-access-key-id", SecretSamples::awsAccessKeyId);
        negatives("aws-access-key-id", () -> "aws_access_key_id = AK" + "IAIOSFODNN7" + "EXAMPLE");
        negatives("aws-access-key-id", () -> "AK" + "IA" + random(SecretSamples.AWS, 12));

        positives("github-pat", SecretSamples::githubPat);
        negatives("github-pat", () -> "gh" + "p_" + "x".repeat(36));
        negatives("github-pat", () -> "gh" + "p_" + random(BASE62, 20));

        positives("github-fine-grained-pat", SecretSamples::githubFineGrainedPat);
        negatives("github-fine-grained-pat", () -> "github_" + "pat_" + random(BASE62, 30));

        positives("github-oauth-app-token", SecretSamples::githubOauthToken);
        negatives("github-oauth-app-token", () -> "gh" + "s_" + random(BASE62, 10));

        positives("gitlab-pat", SecretSamples::gitlabPat);
        negatives("gitlab-pat", () -> "gl" + "pat-" + "x".repeat(20));
        negatives("gitlab-pat", () -> "gl" + "pat-" + random(BASE62, 10));

        positives("slack-token", SecretSamples::slackBotToken);
        negatives("slack-token", () -> "SLACK_TOKEN=xo" + "xb-your-token-here");
        negatives("slack-token", () -> "xo" + "xb-1234567890-abc");

        positives("slack-webhook-url", SecretSamples::slackWebhook);
        negatives("slack-webhook-url", () -> "https://hooks.slack.com/" + "services/YOUR/WEBHOOK/URL");

        positives("google-api-key", SecretSamples::googleApiKey);
        negatives("google-api-key", () -> "AI" + "za" + random(BASE62, 20));

        positives("stripe-secret-key", SecretSamples::stripeSecretKey);
        negatives("stripe-secret-key", () -> "sk" + "_live_" + "x".repeat(24));
        negatives("stripe-secret-key", () -> "sk" + "_test_" + random(BASE62, 10));

        positivesIn("private-key", List.of("%s", "key = \"\"\"\n%s\n\"\"\"", "  private_key: |\n%s"), SecretSamples::privateKeyPem);
        negatives("private-key", () -> "-----BEGIN PUBLIC KEY-----\n" + random(BASE62, 64) + "\n" + random(BASE62, 24) + "\n-----END PUBLIC KEY-----");
        negatives("private-key", () -> "-----BEGIN " + "PRIVATE KEY-----\n...\n-----END " + "PRIVATE KEY-----");

        positives("jwt", SecretSamples::jwt);
        negatives("jwt", () -> "eyJ" + random(BASE62, 20) + ".eyJ" + random(BASE62, 20) + "." + random(BASE62, 20));

        positivesIn("generic-api-key", List.of("api_key = \"%s\"", "client_secret: %s", "{\"password\": \"%s\"}",
                "export AUTH_TOKEN=%s", "DB_PASSWORD=%s", "secretKey := \"%s\""), SecretSamples::genericSecret);
        negatives("generic-api-key", () -> "api_key = \"your_api_key_here\"");
        negatives("generic-api-key", () -> "token = os.environ[\"GITHUB_TOKEN\"]");
        negatives("generic-api-key", () -> "String password = config.getPassword(user);");
        negatives("generic-api-key", () -> "secret_key: \"${SECRET_KEY}\"");
        negatives("generic-api-key", () -> "api_key = \"xxxxxxxxxxxxxxxxxxxxxxxx\"");
        negatives("generic-api-key", () -> "String token = tokenProvider.currentToken();");
        negatives("generic-api-key", () -> "static final String COUNT_TOKENS = \"/v1/messages/count_tokens\";");
        negatives("generic-api-key", () -> "passwordField: \"passwordConfirmation\"");
        negatives("generic-api-key", () -> "token: " + random("0123456789abcdef", 40));
        negatives("generic-api-key", () -> "apiKey = Objects.requireNonNull(apiKey, \"apiKey\");");
        negatives("generic-api-key", () -> "password = \"changeme" + SecretSamples.digits(8) + "\"");
    }

    @Test
    void everyBuiltInRuleMeetsItsPrecisionAndRecallMinimumOnTheGeneratedCorpus() {
        buildCorpus();
        SecretScanner scanner = new SecretScanner(RuleSet.builtIn());
        Map<String, int[]> counts = new TreeMap<>(); // tp, fn, fp
        scanner.rules().rules().forEach(r -> counts.put(r.id(), new int[3]));
        List<String> misses = new ArrayList<>();
        for (Sample s : corpus) {
            List<Finding> found = scanner.scan(new Fragment("corpus.txt", null, s.text(), 1));
            boolean hit = found.stream().anyMatch(f -> f.ruleId().equals(s.rule()));
            if (s.positive()) {
                counts.get(s.rule())[hit ? 0 : 1]++;
                if (!hit && misses.size() < 5) {
                    misses.add(s.rule() + " missed a generated sample");
                }
            }
            for (Finding f : found) {
                if (!(s.positive() && f.ruleId().equals(s.rule()))) {
                    counts.get(f.ruleId())[2]++;
                    if (misses.size() < 10) {
                        misses.add(f.ruleId() + " false positive on a sample labelled " + s.rule() + " (masked " + f.masked() + ")");
                    }
                }
            }
        }

        System.out.printf("%-28s %5s %5s %5s %9s %7s%n", "rule", "tp", "fn", "fp", "precision", "recall");
        Map<String, Score> scores = new TreeMap<>();
        counts.forEach((rule, c) -> {
            Score score = new Score(c[0], c[1], c[2]);
            scores.put(rule, score);
            System.out.printf("%-28s %5d %5d %5d %9.3f %7.3f%n", rule, c[0], c[1], c[2], score.precision(), score.recall());
        });
        misses.forEach(System.out::println);

        assertThat(scores.keySet()).as("every rule has a corpus").allSatisfy(rule ->
                assertThat(scores.get(rule).tp() + scores.get(rule).fn()).as(rule).isPositive());
        scores.forEach((rule, score) -> {
            double minRecall = rule.startsWith("generic") ? 0.90 : 0.99;
            assertThat(score.precision()).as("precision of %s (%s)", rule, misses).isGreaterThanOrEqualTo(0.95);
            assertThat(score.recall()).as("recall of %s (%s)", rule, misses).isGreaterThanOrEqualTo(minRecall);
        });
    }
}
