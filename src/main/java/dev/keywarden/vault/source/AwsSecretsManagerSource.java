package dev.keywarden.vault.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.config.Secret;
import dev.keywarden.vault.source.SecretSourceException.Kind;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code aws-sm:secret-id[#jsonField]}: AWS Secrets Manager {@code GetSecretValue}, a
 * {@code POST /} with {@code X-Amz-Target: secretsmanager.GetSecretValue}, a JSON body
 * {@code {"SecretId": ...}}, signed with Signature Version 4. Without {@code #jsonField} the
 * secret is {@code SecretString} (or the decoded {@code SecretBinary}); with it,
 * {@code SecretString} must be a JSON object whose field is a string.
 *
 * <p>Credentials: static keys from {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and
 * optionally {@code AWS_SESSION_TOKEN}; region from the options, {@code AWS_REGION},
 * {@code AWS_DEFAULT_REGION} or the secret's ARN; endpoint from the options,
 * {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}, {@code AWS_ENDPOINT_URL} or the regional default.
 * Instance profiles, SSO and other credential providers are not supported here.
 */
final class AwsSecretsManagerSource implements SecretSource {

    private static final Pattern SECRET_ID = Pattern.compile("[A-Za-z0-9/_+=.@:\\-]{1,2048}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    private static final Pattern ARN_REGION = Pattern.compile("arn:aws[a-z\\-]*:secretsmanager:([a-z0-9\\-]+):.*");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    static final String SERVICE = "secretsmanager";
    static final String TARGET = "secretsmanager.GetSecretValue";
    static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private final String secretId;
    private final Optional<String> field;
    private final String region;
    private final URI endpoint;
    private final String accessKeyId;
    private final Secret secretAccessKey;
    private final Optional<Secret> sessionToken;
    private final SourceOptions options;
    private final SourceHttp http;

    private AwsSecretsManagerSource(String secretId, Optional<String> field, String region, URI endpoint, String accessKeyId,
                                    Secret secretAccessKey, Optional<Secret> sessionToken, SourceOptions options) {
        this.secretId = secretId;
        this.field = field;
        this.region = region;
        this.endpoint = endpoint;
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.sessionToken = sessionToken;
        this.options = options;
        this.http = new SourceHttp(describe(), options.timeout());
    }

    static AwsSecretsManagerSource parse(String rest, Map<String, String> env, SourceOptions options) {
        int hash = rest.indexOf('#');
        String secretId = hash < 0 ? rest : rest.substring(0, hash);
        String field = hash < 0 ? null : rest.substring(hash + 1);
        if (!SECRET_ID.matcher(secretId).matches()) {
            throw SecretSources.invalid("aws-sm", "the secret id is not valid; write aws-sm:NAME or aws-sm:ARN (letters, digits "
                    + "and / _ + = . @ - :), optionally followed by #jsonField");
        }
        if (field != null && !SecretSources.FIELD_NAME.matcher(field).matches()) {
            throw SecretSources.invalid("aws-sm", "the JSON field after '#' is not valid; use letters, digits, '_', '.', '-'");
        }
        String label = "aws-sm:" + secretId;
        String region = options.awsRegion().orElseGet(() -> firstSet(env, "AWS_REGION", "AWS_DEFAULT_REGION"));
        if (region == null) {
            Matcher arn = ARN_REGION.matcher(secretId);
            region = arn.matches() ? arn.group(1) : null;
        }
        if (region == null) {
            throw new SecretSourceException(Kind.MISCONFIGURED, label + ": no AWS region; set AWS_REGION (e.g. us-east-1) "
                    + "or give the secret's full ARN");
        }
        region = region.strip();
        if (!REGION.matcher(region).matches()) {
            throw new SecretSourceException(Kind.MISCONFIGURED, label + ": AWS region '" + SecretBytes.serverText(region)
                    + "' is not a region name like us-east-1; fix AWS_REGION");
        }
        String accessKeyId = firstSet(env, "AWS_ACCESS_KEY_ID");
        String secretKey = firstSet(env, "AWS_SECRET_ACCESS_KEY");
        if (accessKeyId == null || secretKey == null) {
            throw new SecretSourceException(Kind.MISCONFIGURED, label + ": AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must "
                    + "both be set (plus AWS_SESSION_TOKEN for temporary credentials); other AWS credential providers "
                    + "(instance profile, SSO) are not supported by this source");
        }
        Optional<Secret> session = Optional.ofNullable(firstSet(env, "AWS_SESSION_TOKEN")).map(Secret::of);
        URI endpoint;
        if (options.awsEndpoint().isPresent()) {
            endpoint = SourceHttp.endpoint("aws-sm", "the endpoint option", options.awsEndpoint().get().toString(), options);
        } else if (firstSet(env, "AWS_ENDPOINT_URL_SECRETS_MANAGER") != null) {
            endpoint = SourceHttp.endpoint("aws-sm", "AWS_ENDPOINT_URL_SECRETS_MANAGER", env.get("AWS_ENDPOINT_URL_SECRETS_MANAGER"), options);
        } else if (firstSet(env, "AWS_ENDPOINT_URL") != null) {
            endpoint = SourceHttp.endpoint("aws-sm", "AWS_ENDPOINT_URL", env.get("AWS_ENDPOINT_URL"), options);
        } else {
            endpoint = URI.create("https://secretsmanager." + region + (region.startsWith("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com"));
        }
        return new AwsSecretsManagerSource(secretId, Optional.ofNullable(field), region, endpoint, accessKeyId.strip(),
                Secret.of(secretKey.strip()), session, options);
    }

    private static String firstSet(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    @Override
    public byte[] fetch() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("SecretId", secretId);
        byte[] payload = body.toString().getBytes(StandardCharsets.UTF_8);
        String amzDate = ZonedDateTime.now(options.clock()).withZoneSameInstant(ZoneOffset.UTC).format(AMZ_DATE);
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath() + "/";

        TreeMap<String, String> signed = new TreeMap<>();
        signed.put("content-type", CONTENT_TYPE);
        signed.put("host", SourceHttp.hostHeader(endpoint));
        signed.put("x-amz-date", amzDate);
        signed.put("x-amz-target", TARGET);
        sessionToken.ifPresent(t -> signed.put("x-amz-security-token", t.reveal()));
        String authorization = AwsSigV4.authorization("POST", path, "", signed, AwsSigV4.sha256Hex(payload), accessKeyId,
                secretAccessKey.reveal(), region, SERVICE, amzDate);

        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint + "/"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .header("Content-Type", CONTENT_TYPE)
                .header("X-Amz-Date", amzDate)
                .header("X-Amz-Target", TARGET)
                .header("Authorization", authorization)
                .header("Accept", "application/json");
        sessionToken.ifPresent(t -> request.header("X-Amz-Security-Token", t.reveal()));
        SourceHttp.Answer answer = http.send(request, "AWS Secrets Manager at " + SourceHttp.hostHeader(endpoint));
        try {
            return read(answer);
        } finally {
            answer.wipe();
        }
    }

    private byte[] read(SourceHttp.Answer answer) {
        if (answer.status() != 200) {
            throw failure(answer);
        }
        JsonNode root = http.json(answer, "AWS Secrets Manager");
        JsonNode string = root.get("SecretString");
        JsonNode binary = root.get("SecretBinary");
        if (field.isEmpty()) {
            if (string != null && string.isTextual()) {
                return SecretBytes.finish(string.textValue(), describe());
            }
            if (binary != null && binary.isTextual()) {
                try {
                    return SecretBytes.finish(Base64.getDecoder().decode(binary.textValue()), describe());
                } catch (IllegalArgumentException e) {
                    throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": SecretBinary is not valid base64; "
                            + "check the endpoint");
                }
            }
            throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": the answer has neither SecretString nor "
                    + "SecretBinary as a string; check the endpoint");
        }
        String name = field.get();
        if (string == null || !string.isTextual()) {
            throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": #" + name + " needs a SecretString holding "
                    + "a JSON object, but the secret has no SecretString (binary secret?); drop #" + name);
        }
        JsonNode object;
        try {
            object = SourceHttp.jsonValue(string.textValue());
        } catch (IOException e) {
            object = null;
        }
        if (object == null || !object.isObject()) {
            throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": #" + name + " needs SecretString to be a JSON "
                    + "object (key/value secret), but it is not; drop #" + name + " to use the whole SecretString");
        }
        JsonNode value = object.get(name);
        if (value == null) {
            throw new SecretSourceException(Kind.NOT_FOUND, describe() + ": the secret's JSON has no field '" + name
                    + "'; fix the #field part of the spec or add the field in Secrets Manager");
        }
        if (!value.isTextual()) {
            throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": field '" + name + "' is "
                    + JsonTypes.describe(value) + ", not a string; store the key as a string value");
        }
        return SecretBytes.finish(value.textValue(), describe());
    }

    private SecretSourceException failure(SourceHttp.Answer answer) {
        String type = "";
        String message = "";
        try {
            JsonNode error = SourceHttp.jsonValue(new String(answer.body(), StandardCharsets.UTF_8));
            type = error.path("__type").asText("");
            type = type.substring(type.lastIndexOf('#') + 1); // "com.amazonaws.secretsmanager#X" -> "X"
            message = error.has("message") ? error.path("message").asText("") : error.path("Message").asText("");
        } catch (IOException | RuntimeException ignored) {
            // not JSON: described by status alone
        }
        type = SecretBytes.serverText(type.contains(":") ? type.substring(0, type.indexOf(':')) : type);
        String detail = " (AWS answered " + answer.status() + (type.isEmpty() ? "" : " " + type)
                + (message.isBlank() ? "" : ": " + SecretBytes.serverText(message)) + ")";
        return switch (type) {
            case "ResourceNotFoundException" -> new SecretSourceException(Kind.NOT_FOUND, describe() + ": secret not found"
                    + detail + " in region " + region + "; check the secret id, the version and AWS_REGION");
            case "AccessDeniedException" -> new SecretSourceException(Kind.DENIED, describe() + ": access denied" + detail
                    + "; allow secretsmanager:GetSecretValue on this secret (and kms:Decrypt on its KMS key) for these credentials");
            case "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch",
                 "IncompleteSignature", "ExpiredTokenException", "MissingAuthenticationToken" ->
                    new SecretSourceException(Kind.DENIED, describe() + ": AWS rejected the credentials" + detail
                            + "; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (temporary "
                            + "credentials expire) and that this machine's clock is right");
            case "DecryptionFailure" -> new SecretSourceException(Kind.DENIED, describe() + ": AWS could not decrypt the secret"
                    + detail + "; allow kms:Decrypt on the secret's KMS key");
            case "InvalidRequestException", "InvalidParameterException" -> new SecretSourceException(Kind.NOT_FOUND,
                    describe() + ": the request was refused" + detail + "; the secret may be scheduled for deletion");
            case "ThrottlingException", "TooManyRequestsException", "InternalServiceError", "ServiceUnavailable" ->
                    new SecretSourceException(Kind.UNAVAILABLE, describe() + ": AWS is busy or failing" + detail
                            + "; try again in a moment");
            default -> answer.status() == 401 || answer.status() == 403
                    ? new SecretSourceException(Kind.DENIED, describe() + ": access refused" + detail
                            + "; check the credentials, their IAM permissions and any proxy or VPC endpoint policy in between")
                    : new SecretSourceException(answer.status() >= 500 || answer.status() == 429 ? Kind.UNAVAILABLE : Kind.BAD_RESPONSE,
                    describe() + ": unexpected answer" + detail + "; check the endpoint and region, then try again");
        };
    }

    /** The endpoint requests go to (for tests and diagnostics; not secret). */
    URI endpoint() {
        return endpoint;
    }

    @Override
    public String describe() {
        return "aws-sm:" + secretId + field.map(f -> "#" + f).orElse("");
    }

    @Override
    public String toString() {
        return "SecretSource[" + describe() + "]";
    }
}
