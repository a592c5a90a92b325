package dev.keywarden.vault.source;

import dev.keywarden.testing.TestKeys;
import dev.keywarden.vault.source.SecretSourceException.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Google Secret Manager {@code versions.access} against a local stand-in of its documented REST API (not the real service). */
class GcpSecretManagerSourceTest {

    @TempDir
    Path dir;

    private final String key = TestKeys.canaryProviderKey();
    private final String token = "ya29." + TestKeys.random(60);
    private StandIn google;
    private Map<String, String> env;

    private static String error(int code, String status, String message) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\"}}";
    }

    private static String accessAnswer(String name, byte[] data, long crc) {
        return "{\"name\":\"" + name + "\",\"payload\":{\"data\":\"" + Base64.getEncoder().encodeToString(data)
                + "\",\"dataCrc32c\":\"" + crc + "\"}}";
    }

    private static long crc32c(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        return c.getValue();
    }

    @BeforeEach
    void start() throws IOException {
        google = StandIn.start((req, ex) -> {
            if (!("Bearer " + token).equals(req.header("Authorization"))) {
                StandIn.json(ex, 401, error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. "
                        + "Expected OAuth 2 access token, login cookie or other valid authentication credential."));
                return;
            }
            if (!req.method().equals("GET")) {
                StandIn.json(ex, 405, error(405, "METHOD_NOT_ALLOWED", "only GET"));
                return;
            }
            switch (req.path()) {
                case "/v1/projects/acme/secrets/anthropic/versions/3:access",
                     "/v1/projects/acme/secrets/anthropic/versions/latest:access" -> {
                    byte[] data = (key + "\n").getBytes(StandardCharsets.UTF_8);
                    StandIn.json(ex, 200, accessAnswer("projects/123456789/secrets/anthropic/versions/3", data, crc32c(data)));
                }
                case "/v1/projects/acme/secrets/restricted/versions/1:access" -> StandIn.json(ex, 403, error(403,
                        "PERMISSION_DENIED", "Permission 'secretmanager.versions.access' denied for resource "
                                + "'projects/acme/secrets/restricted/versions/1' (or it may not exist)."));
                default -> StandIn.json(ex, 404, error(404, "NOT_FOUND", "Secret [projects/123456789/secrets/x] not found "
                        + "or has no versions."));
            }
        });
        env = new HashMap<>(Map.of("GOOGLE_OAUTH_ACCESS_TOKEN", token));
    }

    @AfterEach
    void stop() {
        google.close();
    }

    private SecretSource parse(String spec) {
        return SecretSources.parse(spec, env, dir, SourceOptions.builder().gcpEndpoint(google.uri()).build());
    }

    private SecretSourceException fetchFails(String spec) {
        SecretSourceException e = catchThrowableOfType(SecretSourceException.class, () -> parse(spec).fetch());
        assertThat(e).as("fetch of " + spec + " fails").isNotNull();
        Leaks.assertNoSecretIn(e, key, token);
        return e;
    }

    @Test
    void accessIsAGetOfTheVersionNameWithABearerToken() {
        byte[] value = parse("gcp-sm:projects/acme/secrets/anthropic/versions/3").fetch();

        assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo(key);
        StandIn.Seen req = google.last();
        assertThat(req.method()).isEqualTo("GET");
        assertThat(req.path()).isEqualTo("/v1/projects/acme/secrets/anthropic/versions/3:access");
        assertThat(req.header("Authorization")).isEqualTo("Bearer " + token);
    }

    @Test
    void leavingOutTheVersionReadsLatest() {
        parse("gcp-sm:projects/acme/secrets/anthropic").fetch();

        assertThat(google.last().path()).isEqualTo("/v1/projects/acme/secrets/anthropic/versions/latest:access");
    }

    @Test
    void checksumMismatchIsRefused() {
        google.reply((req, ex) -> StandIn.json(ex, 200,
                accessAnswer("projects/1/secrets/s/versions/1", key.getBytes(StandardCharsets.UTF_8), 12345)));

        SecretSourceException e = fetchFails("gcp-sm:projects/acme/secrets/anthropic/versions/3");

        assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("dataCrc32c");
    }

    @Test
    void answerWithoutChecksumIsAccepted() {
        google.reply((req, ex) -> StandIn.json(ex, 200, "{\"name\":\"n\",\"payload\":{\"data\":\""
                + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)) + "\"}}"));

        assertThat(new String(parse("gcp-sm:projects/acme/secrets/anthropic").fetch(), StandardCharsets.UTF_8)).isEqualTo(key);
    }

    @Test
    void permissionDeniedSaysWhichRoleToGrant() {
        SecretSourceException e = fetchFails("gcp-sm:projects/acme/secrets/restricted/versions/1");

        assertThat(e.kind()).isEqualTo(Kind.DENIED);
        assertThat(e.getMessage()).startsWith("gcp-sm:projects/acme/secrets/restricted/versions/1: permission denied "
                + "(Google answered 403 PERMISSION_DENIED: Permission 'secretmanager.versions.access' denied")
                .contains("roles/secretmanager.secretAccessor");
    }

    @Test
    void unknownSecretIsNotFound() {
        SecretSourceException e = fetchFails("gcp-sm:projects/acme/secrets/nope/versions/1");

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("secret or version not found").contains("NOT_FOUND");
    }

    @Test
    void expiredTokenSaysToGetAFreshOne() {
        env.put("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29." + TestKeys.random(60));

        SecretSourceException e = fetchFails("gcp-sm:projects/acme/secrets/anthropic/versions/3");

        assertThat(e.kind()).isEqualTo(Kind.DENIED);
        assertThat(e.getMessage()).contains("UNAUTHENTICATED").contains("fresh one into GOOGLE_OAUTH_ACCESS_TOKEN");
        Leaks.assertNoSecretIn(e, env.get("GOOGLE_OAUTH_ACCESS_TOKEN"));
    }

    @Test
    void disabledVersionIsExplained() {
        google.reply((req, ex) -> StandIn.json(ex, 400, error(400, "FAILED_PRECONDITION",
                "Secret Version [projects/1/secrets/anthropic/versions/2] is in DISABLED state.")));

        SecretSourceException e = fetchFails("gcp-sm:projects/acme/secrets/anthropic/versions/2");

        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("DISABLED state").contains("enable it or name another version");
    }

    @Test
    void missingPayloadAndBadJsonAreReportedWithoutQuotingTheBody() {
        google.reply((req, ex) -> StandIn.json(ex, 200, "{\"name\":\"" + key + "\"}"));
        assertThat(fetchFails("gcp-sm:projects/acme/secrets/anthropic").getMessage()).contains("no payload.data");

        google.reply((req, ex) -> StandIn.json(ex, 200, "{\"payload\":{\"data\":\"" + key));
        assertThat(fetchFails("gcp-sm:projects/acme/secrets/anthropic").getMessage()).contains("not JSON");
    }

    @Test
    void slowServiceTimesOut() {
        google.reply((req, ex) -> {
            Thread.sleep(3_000);
            StandIn.json(ex, 200, "{}");
        });

        SecretSourceException e = catchThrowableOfType(SecretSourceException.class, () -> SecretSources.parse(
                "gcp-sm:projects/acme/secrets/anthropic", env, dir,
                SourceOptions.builder().gcpEndpoint(google.uri()).timeout(Duration.ofMillis(300)).build()).fetch());

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("no answer from Google Secret Manager").contains("within 300 ms");
    }

    @Test
    void missingTokenIsAConfigurationError() {
        SecretSourceException e = catchThrowableOfType(SecretSourceException.class,
                () -> SecretSources.parse("gcp-sm:projects/acme/secrets/anthropic", Map.of(), dir));

        assertThat(e.kind()).isEqualTo(Kind.MISCONFIGURED);
        assertThat(e.getMessage()).contains("GOOGLE_OAUTH_ACCESS_TOKEN is not set").contains("gcloud auth print-access-token");
    }
}
