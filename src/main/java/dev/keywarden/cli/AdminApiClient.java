package dev.keywarden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * A small JSON client for the gateway's admin API ({@code /admin/v1/...}) on the JDK HTTP client.
 *
 * <p>Guarantees: the admin token goes only into the {@code Authorization: Bearer} header and never
 * into a message, {@link #toString()} or exception; a non-2xx answer becomes an
 * {@link AdminApiException} carrying the API's own error message (Anthropic shape) and status;
 * redirects are not followed (so the token is never sent to another host).
 */
public final class AdminApiClient {

    /** Long enough for a rotation, which waits for calls in flight on the old key (at most 5 minutes). */
    static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(6);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    private AdminApiClient(URI base, String token, Duration timeout) {
        this.base = base;
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * @param adminUrl the admin listener, e.g. {@code http://127.0.0.1:8788}
     * @param token    an admin token ({@code kwadm_...})
     * @throws IllegalArgumentException naming what is wrong with the URL or token (never quoting the token)
     */
    public static AdminApiClient create(String adminUrl, String token) {
        return create(adminUrl, token, REQUEST_TIMEOUT);
    }

    static AdminApiClient create(String adminUrl, String token, Duration timeout) {
        Objects.requireNonNull(adminUrl, "adminUrl");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("no admin token: set KEYWARDEN_ADMIN_TOKEN or pass --admin-token-file FILE "
                    + "(create a token with: keywarden admin create-token --name NAME)");
        }
        String t = token.strip();
        if (!t.startsWith("kwadm_") || t.length() > 100 || t.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("the admin token does not look like one (expected kwadm_ followed by "
                    + "letters, digits, '-' or '_'); it is not repeated here: check KEYWARDEN_ADMIN_TOKEN or the token file");
        }
        return new AdminApiClient(parseUrl(adminUrl), t, timeout);
    }

    static URI parseUrl(String adminUrl) {
        String raw = adminUrl.strip();
        try {
            URI u = new URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null || u.getUserInfo() != null || u.getQuery() != null || u.getFragment() != null) {
                throw new URISyntaxException(raw, "bad form");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--admin-url (KEYWARDEN_ADMIN_URL) must be an http(s) URL of the admin "
                    + "listener such as http://127.0.0.1:8788, without credentials, query or fragment");
        }
    }

    /** Whether the token would travel in clear text to another machine (plain http to a non-loopback host). */
    public boolean cleartextToRemoteHost() {
        if (!base.getScheme().equals("http")) {
            return false;
        }
        try {
            return !InetAddress.getByName(base.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return true;
        }
    }

    public URI baseUri() {
        return base;
    }

    public JsonNode get(String path) {
        return send(request(path).GET().build());
    }

    /** DELETEs the resource at {@code path}. */
    public JsonNode delete(String path) {
        return send(request(path).DELETE().build());
    }

    /** POSTs {@code body} (a JSON object) to {@code path}. */
    public JsonNode post(String path, JsonNode body) {
        return post(path, body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** POSTs raw JSON bytes; the caller may zero {@code json} afterwards (used for the passphrase). */
    public JsonNode post(String path, byte[] json) {
        HttpRequest.Builder b = request(path);
        if (json.length > 0) {
            b.header("content-type", "application/json");
        }
        return send(b.POST(HttpRequest.BodyPublishers.ofByteArray(json)).build());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("authorization", "Bearer " + token)
                .header("accept", "application/json");
    }

    private JsonNode send(HttpRequest request) {
        String what = request.method() + " " + base + request.uri().getRawPath();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new AdminApiException(0, "", "the admin API at " + base + " did not answer " + what + " within " + timeout);
        } catch (IOException e) {
            throw new AdminApiException(0, "", "cannot reach the admin API at " + base + " (" + e.getClass().getSimpleName()
                    + "): is the gateway running with admin.listen (KEYWARDEN_ADMIN_LISTEN) on that address?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminApiException(0, "", "interrupted while waiting for " + what);
        }
        JsonNode body = parse(response.body());
        int status = response.statusCode();
        if (status / 100 == 2) {
            if (body == null) {
                throw new AdminApiException(status, "", "the admin API answered " + what + " with something that is not JSON");
            }
            return body;
        }
        String type = body == null ? "" : body.at("/error/type").asText("");
        if (status == 401) {
            throw new AdminApiException(status, type, "the admin API at " + base + " refused the admin token (HTTP 401): "
                    + "check KEYWARDEN_ADMIN_TOKEN or --admin-token-file, or create a token on the gateway host with: "
                    + "keywarden admin create-token --name NAME");
        }
        String message = body == null ? "" : body.at("/error/message").asText("");
        if (message.isBlank()) {
            message = "the admin API answered " + what + " with HTTP " + status + " and no error message";
        } else {
            message = message + " (HTTP " + status + (type.isBlank() ? "" : " " + type) + ")";
        }
        throw new AdminApiException(status, type, message);
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "AdminApiClient[" + base + "]";
    }
}
