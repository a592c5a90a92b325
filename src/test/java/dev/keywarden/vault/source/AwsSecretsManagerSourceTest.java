package dev.keywarden.vault.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.source.SecretSourceException.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * AWS Secrets Manager {@code GetSecretValue} against a local stand-in of its documented HTTP API
 * (not the real service). The stand-in checks the target, content type and body, and verifies
 * the SigV4 signature over what it actually received, answering like AWS when it does not match.
 */
class AwsSecretsManagerSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\\d{8})/([a-z0-9-]+)/secretsmanager/aws4_request, "
                    + "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

    @TempDir
    Path dir;

    private final String key = TestKeys.canaryProviderKey();
    private final String accessKeyId = "AKIATEST" + TestKeys.random(12).toUpperCase().replaceAll("[^A-Z0-9]", "Q");
    private final String secretAccessKey = TestKeys.random(40);
    private final Clock clock = Clock.fixed(Instant.parse("2024-05-01T12:34:56Z"), ZoneOffset.UTC);
    private StandIn aws;
    private Map<String, String> env;
    private volatile Map<String, String> secrets;

    @BeforeEach
    void start() throws IOException {
        secrets = Map.of("prod/anthropic", "{\"SecretString\":\"" + key + "\\n\"}");
        aws = StandIn.start((req, ex) -> {
            String problem = signatureProblem(req);
            if (problem != null) {
                StandIn.send(ex, 400, "application/x-amz-json-1.1", "{\"__type\":\"InvalidSignatureException\",\"message\":\""
                        + problem + "\"}");
                return;
            }
            String id = JSON.readTree(req.body()).path("SecretId").asText();
            String found = secrets.get(id);
            if (found == null) {
                StandIn.send(ex, 400, "application/x-amz-json-1.1", "{\"__type\":\"ResourceNotFoundException\","
                        + "\"message\":\"Secrets Manager can't find the specified secret.\"}");
                return;
            }
            String answer = found.substring(0, found.length() - 1) + ",\"ARN\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:"
                    + id + "-AbCdEf\",\"Name\":\"" + id + "\",\"VersionId\":\"EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE\","
                    + "\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.714566896E9}";
            StandIn.send(ex, 200, "application/x-amz-json-1.1", answer);
        });
        env = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", accessKeyId, "AWS_SECRET_ACCESS_KEY", secretAccessKey,
                "AWS_REGION", "us-east-1"));
    }

    @AfterEach
    void stop() {
        aws.close();
    }

    /** What AWS would check: documented target, content type and body shape, and a signature over the received request. */
    private String signatureProblem(StandIn.Seen req) throws IOException {
        if (!req.method().equals("POST") || !req.path().equals("/")) {
            return "expected POST /";
        }
        if (!"secretsmanager.GetSecretValue".equals(req.header("X-Amz-Target"))
                || !"application/x-amz-json-1.1".equals(req.header("Content-Type"))
                || !JSON.readTree(req.body()).path("SecretId").isTextual()) {
            return "not a GetSecretValue request";
        }
        String authorization = req.header("Authorization");
        Matcher m = authorization == null ? null : AUTHORIZATION.matcher(authorization);
        if (m == null || !m.matches()) {
            return "Authorization header is not SigV4";
        }
        TreeMap<String, String> signed = new TreeMap<>();
        for (String name : m.group(4).split(";")) {
            signed.put(name, req.header(name));
        }
        String expected = AwsSigV4.authorization("POST", "/", "", signed, AwsSigV4.sha256Hex(req.body()), accessKeyId,
                secretAccessKey, m.group(3), "secretsmanager", req.header("X-Amz-Date"));
        return expected.equals(authorization) ? null : "The request signature we calculated does not match the signature you provided.";
    }

    private SecretSource parse(String spec) {
        return SecretSources.parse(spec, env, dir, SourceOptions.builder().awsEndpoint(aws.uri()).clock(clock).build());
    }

    private SecretSourceException fetchFails(String spec) {
        SecretSourceException e = catchThrowableOfType(SecretSourceException.class, () -> parse(spec).fetch());
        assertThat(e).as("fetch of " + spec + " fails").isNotNull();
        Leaks.assertNoSecretIn(e, key, secretAccessKey);
        return e;
    }

    @Test
    void getSecretValueIsASignedPostWithTheDocumentedTargetAndBody() throws IOException {
        byte[] value = parse("aws-sm:prod/anthropic").fetch();

        assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo(key);
        StandIn.Seen req = aws.last();
        assertThat(req.header("X-Amz-Target")).isEqualTo("secretsmanager.GetSecretValue");
        assertThat(req.header("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(JSON.readTree(req.body())).isEqualTo(JSON.readTree("{\"SecretId\":\"prod/anthropic\"}"));
        assertThat(req.header("X-Amz-Date")).isEqualTo("20240501T123456Z");
        assertThat(req.header("Authorization")).matches(AUTHORIZATION)
                .startsWith("AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/20240501/us-east-1/secretsmanager/aws4_request, "
                        + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=")
                .doesNotContain(secretAccessKey);
        assertThat(req.header("X-Amz-Security-Token")).isNull();
    }

    @Test
    void sessionTokenIsSentAndSigned() {
        String session = TestKeys.random(60);
        env.put("AWS_SESSION_TOKEN", session);

        parse("aws-sm:prod/anthropic").fetch();

        assertThat(aws.last().header("X-Amz-Security-Token")).isEqualTo(session);
        assertThat(aws.last().header("Authorization"))
                .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
    }

    @Test
    void aTamperedSignatureIsRejectedByTheStandInLikeAws() {
        env.put("AWS_SECRET_ACCESS_KEY", TestKeys.random(40));

        SecretSourceException e = fetchFails("aws-sm:prod/anthropic");

        assertThat(e.kind()).isEqualTo(Kind.DENIED);
        assertThat(e.getMessage()).contains("AWS rejected the credentials").contains("InvalidSignatureException")
                .contains("AWS_SECRET_ACCESS_KEY");
        Leaks.assertNoSecretIn(e, env.get("AWS_SECRET_ACCESS_KEY"));
    }

    @Test
    void jsonFieldIsTakenFromAKeyValueSecretString() {
        secrets = Map.of("prod/keys", "{\"SecretString\":\"{\\\"anthropic\\\":\\\"" + key + "\\\",\\\"other\\\":\\\"x\\\"}\"}");

        assertThat(new String(parse("aws-sm:prod/keys#anthropic").fetch(), StandardCharsets.UTF_8)).isEqualTo(key);
    }

    @Test
    void binarySecretIsDecoded() {
        String b64 = Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
        secrets = Map.of("bin", "{\"SecretBinary\":\"" + b64 + "\"}");

        assertThat(new String(parse("aws-sm:bin").fetch(), StandardCharsets.UTF_8)).isEqualTo(key);
    }

    @Test
    void unknownSecretIsNotFoundAndNamesTheRegion() {
        SecretSourceException e = fetchFails("aws-sm:prod/missing");

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).startsWith("aws-sm:prod/missing: secret not found (AWS answered 400 ResourceNotFoundException: "
                + "Secrets Manager can't find the specified secret.) in region us-east-1");
    }

    @Test
    void accessDeniedSaysWhichPermissionToGrant() {
        aws.reply((req, ex) -> StandIn.send(ex, 400, "application/x-amz-json-1.1",
                "{\"__type\":\"com.amazonaws.secretsmanager#AccessDeniedException\",\"Message\":\"User: arn:aws:iam::123456789012:"
                        + "user/gw is not authorized to perform: secretsmanager:GetSecretValue\"}"));

        SecretSourceException e = fetchFails("aws-sm:prod/anthropic");

        assertThat(e.kind()).isEqualTo(Kind.DENIED);
        assertThat(e.getMessage()).contains("access denied (AWS answered 400 AccessDeniedException: User: arn:aws:iam")
                .contains("allow secretsmanager:GetSecretValue");
    }

    @Test
    void bare403FromSomethingInBetweenIsAccessRefused() {
        aws.reply((req, ex) -> StandIn.send(ex, 403, "text/html", "<html>Forbidden</html>"));

        SecretSourceException e = fetchFails("aws-sm:prod/anthropic");

        assertThat(e.kind()).isEqualTo(Kind.DENIED);
        assertThat(e.getMessage()).contains("access refused (AWS answered 403)").contains("VPC endpoint policy");
    }

    @Test
    void throttlingIsUnavailable() {
        aws.reply((req, ex) -> StandIn.send(ex, 400, "application/x-amz-json-1.1",
                "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"));
        SecretSourceException e = fetchFails("aws-sm:prod/anthropic");

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("ThrottlingException: Rate exceeded").contains("try again");
    }

    @Test
    void missingJsonFieldIsNamed() {
        secrets = Map.of("prod/keys", "{\"SecretString\":\"{\\\"other\\\":\\\"" + key + "\\\"}\"}");

        SecretSourceException e = fetchFails("aws-sm:prod/keys#anthropic");

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("no field 'anthropic'");
    }

    @Test
    void nonStringJsonFieldIsRefused() {
        secrets = Map.of("prod/keys", "{\"SecretString\":\"{\\\"anthropic\\\":[\\\"" + key + "\\\"]}\"}");

        SecretSourceException e = fetchFails("aws-sm:prod/keys#anthropic");

        assertThat(e.getMessage()).contains("field 'anthropic' is an array, not a string");
    }

    @Test
    void jsonFieldOnAPlainSecretStringIsExplainedWithoutQuotingIt() {
        SecretSourceException e = fetchFails("aws-sm:prod/anthropic#api_key");

        assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("needs SecretString to be a JSON object").contains("drop #api_key");
    }

    @Test
    void badJsonAnswerIsReportedWithoutQuotingIt() {
        aws.reply((req, ex) -> StandIn.send(ex, 200, "application/x-amz-json-1.1", "{\"SecretString\":\"" + key));

        SecretSourceException e = fetchFails("aws-sm:prod/anthropic");

        assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("not JSON");
    }

    @Test
    void slowServiceTimesOut() {
        aws.reply((req, ex) -> {
            Thread.sleep(3_000);
            StandIn.send(ex, 200, "application/x-amz-json-1.1", "{}");
        });

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class, () -> SecretSources.parse("aws-sm:prod/anthropic",
                env, dir, SourceOptions.builder().awsEndpoint(aws.uri()).timeout(Duration.ofMillis(300)).build()).fetch());

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("no answer from AWS Secrets Manager").contains("within 300 ms");
    }

    @Test
    void missingCredentialsOrRegionAreConfigurationErrors() {
        SecretSourceException noCreds = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("aws-sm:prod/anthropic", Map.of("AWS_REGION", "us-east-1"), dir));
        SecretSourceException noRegion = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("aws-sm:prod/anthropic", Map.of("AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "b"), dir));

        assertThat(noCreds.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(noCreds.getMessage()).contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        assertThat(noRegion.getMessage()).contains("set AWS_REGION");
    }

    @Test
    void regionComesFromTheArnWhenNotSet() {
        env.remove("AWS_REGION");
        secrets = Map.of("arn:aws:secretsmanager:eu-central-1:123456789012:secret:anthropic-AbCdEf", "{\"SecretString\":\"" + key + "\"}"); // keywarden:allow (an example ARN, not a secret)

        parse("aws-sm:arn:aws:secretsmanager:eu-central-1:123456789012:secret:anthropic-AbCdEf").fetch(); // keywarden:allow (an example ARN, not a secret)

        assertThat(aws.last().header("Authorization")).contains("/eu-central-1/secretsmanager/aws4_request");
    }

    @Test
    void endpointIsTheRegionalOneUnlessOverridden() {
        assertThat(((AwsSecretsManagerSource) SecretSources.parse("aws-sm:a", env, dir)).endpoint())
                .hasToString("https://secretsmanager.us-east-1.amazonaws.com");
        env.put("AWS_REGION", "cn-north-1");
        assertThat(((AwsSecretsManagerSource) SecretSources.parse("aws-sm:a", env, dir)).endpoint())
                .hasToString("https://secretsmanager.cn-north-1.amazonaws.com.cn");
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "https://vpce-1.secretsmanager.cn-north-1.vpce.amazonaws.com.cn/");
        assertThat(((AwsSecretsManagerSource) SecretSources.parse("aws-sm:a", env, dir)).endpoint())
                .hasToString("https://vpce-1.secretsmanager.cn-north-1.vpce.amazonaws.com.cn");
    }
}
