package dev.keywarden.vault.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.config.Secret;
import dev.keywarden.vault.source.SecretSourceException.Kind;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * {@code gcp-sm:projects/P/secrets/S/versions/V}: Google Secret Manager
 * {@code GET {endpoint}/v1/{name}:access} with a bearer token; the secret is the base64
 * {@code payload.data}, checked against {@code payload.dataCrc32c} when the answer carries it.
 * {@code /versions/V} may be left out for {@code latest}. The token comes from the options or
 * {@code GOOGLE_OAUTH_ACCESS_TOKEN} (for example from {@code gcloud auth print-access-token});
 * service-account and metadata-server credentials are not supported here.
 */
final class GcpSecretManagerSource implements SecretSource {

    private static final Pattern NAME = Pattern.compile(
            "projects/[A-Za-z0-9.:\\-]{1,100}/secrets/[A-Za-z0-9_\\-]{1,255}(/versions/[A-Za-z0-9_\\-]{1,64})?");
    static final URI DEFAULT_ENDPOINT = URI.create("https://secretmanager.googleapis.com");

    private final String name;
    private final URI endpoint;
    private final Secret token;
    private final SourceHttp http;

    private GcpSecretManagerSource(String name, URI endpoint, Secret token, SourceOptions options) {
        this.name = name;
        this.endpoint = endpoint;
        this.token = token;
        this.http = new SourceHttp(describe(), options.timeout());
    }

    static GcpSecretManagerSource parse(String rest, Map<String, String> env, SourceOptions options) {
        if (!NAME.matcher(rest).matches()) {
            throw SecretSources.invalid("gcp-sm", "write gcp-sm:projects/PROJECT/secrets/SECRET/versions/VERSION "
                    + "(VERSION a number or 'latest'; '/versions/…' may be left out for latest)");
        }
        String name = rest.contains("/versions/") ? rest : rest + "/versions/latest";
        URI endpoint = options.gcpEndpoint()
                .map(u -> SourceHttp.endpoint("gcp-sm", "the endpoint option", u.toString(), options))
                .orElse(DEFAULT_ENDPOINT);
        Secret token = options.gcpAccessToken().orElseGet(() -> {
            String raw = env.get("GOOGLE_OAUTH_ACCESS_TOKEN");
            if (raw == null || raw.isBlank()) {
                throw new SecretSourceException(Kind.MISCONFIGURED, "gcp-sm:" + name + ": GOOGLE_OAUTH_ACCESS_TOKEN is not set; "
                        + "set it to an OAuth access token allowed to access the secret (e.g. from "
                        + "gcloud auth print-access-token); service-account credentials are not supported by this source");
            }
            return Secret.of(raw.strip());
        });
        return new GcpSecretManagerSource(name, endpoint, token, options);
    }

    @Override
    public byte[] fetch() {
        URI uri = URI.create(endpoint + "/v1/" + name + ":access");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET()
                .header("Authorization", "Bearer " + token.reveal())
                .header("Accept", "application/json");
        SourceHttp.Answer answer = http.send(request, "Google Secret Manager at " + SourceHttp.hostHeader(endpoint));
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
        JsonNode payload = http.json(answer, "Google Secret Manager").path("payload");
        JsonNode data = payload.path("data");
        if (!data.isTextual()) {
            throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": the answer has no payload.data string; "
                    + "check the endpoint");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data.textValue());
        } catch (IllegalArgumentException e) {
            try {
                bytes = Base64.getUrlDecoder().decode(data.textValue());
            } catch (IllegalArgumentException e2) {
                throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": payload.data is not base64; check the endpoint");
            }
        }
        JsonNode crc = payload.path("dataCrc32c");
        if (crc.isTextual() || crc.isNumber()) {
            long expected;
            try {
                expected = Long.parseLong(crc.asText());
            } catch (NumberFormatException e) {
                expected = -1;
            }
            CRC32C actual = new CRC32C();
            actual.update(bytes);
            if (expected != actual.getValue()) {
                Arrays.fill(bytes, (byte) 0);
                throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": payload.data does not match its "
                        + "dataCrc32c checksum (corrupted in transit or by a proxy); try again");
            }
        }
        return SecretBytes.finish(bytes, describe());
    }

    private SecretSourceException failure(SourceHttp.Answer answer) {
        String status = "";
        String message = "";
        try {
            JsonNode error = SourceHttp.jsonValue(new String(answer.body(), StandardCharsets.UTF_8)).path("error");
            status = SecretBytes.serverText(error.path("status").asText(""));
            message = SecretBytes.serverText(error.path("message").asText(""));
        } catch (IOException | RuntimeException ignored) {
            // not JSON: described by status alone
        }
        String detail = " (Google answered " + answer.status() + (status.isEmpty() ? "" : " " + status)
                + (message.isEmpty() ? "" : ": " + message) + ")";
        return switch (answer.status()) {
            case 401 -> new SecretSourceException(Kind.DENIED, describe() + ": the access token was not accepted" + detail
                    + "; access tokens expire after about an hour, get a fresh one into GOOGLE_OAUTH_ACCESS_TOKEN");
            case 403 -> new SecretSourceException(Kind.DENIED, describe() + ": permission denied" + detail
                    + "; grant the caller roles/secretmanager.secretAccessor on the secret, and check the Secret Manager "
                    + "API is enabled in the project");
            case 404 -> new SecretSourceException(Kind.NOT_FOUND, describe() + ": secret or version not found" + detail
                    + "; check the project, secret name and version");
            case 400 -> new SecretSourceException("FAILED_PRECONDITION".equals(status) ? Kind.NOT_FOUND : Kind.BAD_RESPONSE,
                    describe() + ": the request was refused" + detail + "; a disabled or destroyed version cannot be read, "
                            + "enable it or name another version");
            default -> new SecretSourceException(answer.status() >= 500 || answer.status() == 429 ? Kind.UNAVAILABLE
                    : Kind.BAD_RESPONSE, describe() + ": unexpected answer" + detail + "; check the endpoint, then try again");
        };
    }

    @Override
    public String describe() {
        return "gcp-sm:" + name;
    }

    @Override
    public String toString() {
        return "SecretSource[" + describe() + "]";
    }
}
