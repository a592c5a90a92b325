package dev.keywarden.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Verifies a provider key with {@code POST {upstream}/v1/messages/count_tokens} and a one-word
 * body: free, and it authenticates the key exactly like a Messages call. 200 means valid, 401 or
 * 403 rejected, anything else (429, 5xx, timeout, connection failure) unverifiable.
 * {@link #listingModels} checks with {@code GET {upstream}/v1/models?limit=1} instead: free, and it
 * names no model the key might not be allowed to use (what {@code serve} does at start-up).
 *
 * <p>Guarantee: the key goes only into the {@code x-api-key} header of that one request. Results
 * carry the status and Anthropic's {@code error.type}, never the response message or the key.
 * One-off admin use (add, rotate), so the JDK client is enough here; the gateway's hot path uses Jetty.
 */
public final class HttpUpstreamKeyVerifier implements UpstreamKeyVerifier {

    /** A small current model; count_tokens needs a model the key may use. */
    public static final String DEFAULT_MODEL = "claude-haiku-4-5";
    private static final String ANTHROPIC_VERSION = "2023-06-01";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final Duration timeout;
    private final String body;
    private final HttpClient client;

    private HttpUpstreamKeyVerifier(URI endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.body = null;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * A verifier that lists one model ({@code GET {upstream}/v1/models?limit=1}) with the key.
     *
     * @param upstream base URL of the Anthropic API (or the fake upstream)
     * @param timeout  connect and response timeout
     */
    public static HttpUpstreamKeyVerifier listingModels(URI upstream, Duration timeout) {
        Objects.requireNonNull(upstream, "upstream");
        return new HttpUpstreamKeyVerifier(URI.create(base(upstream) + "/v1/models?limit=1"), timeout);
    }

    private static String base(URI upstream) {
        String base = upstream.toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /**
     * @param upstream base URL of the Anthropic API (or the fake upstream), e.g. {@code https://api.anthropic.com}
     * @param timeout  connect and response timeout
     * @param model    the model named in the count_tokens call
     */
    public HttpUpstreamKeyVerifier(URI upstream, Duration timeout, String model) {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(model, "model");
        this.endpoint = URI.create(base(upstream) + "/v1/messages/count_tokens");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.body = JSON.createObjectNode().put("model", model)
                .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user").put("content", "ping")))
                .toString();
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Against {@code upstream} with a 10-second timeout and {@link #DEFAULT_MODEL}. */
    public HttpUpstreamKeyVerifier(URI upstream) {
        this(upstream, Duration.ofSeconds(10), DEFAULT_MODEL);
    }

    @Override
    public KeyVerification verify(byte[] secret) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("x-api-key", new String(secret, StandardCharsets.UTF_8))
                .header("anthropic-version", ANTHROPIC_VERSION);
        HttpRequest request = body == null ? builder.GET().build()
                : builder.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            return new KeyVerification.Unverifiable("upstream " + host() + " did not answer within " + timeout);
        } catch (IOException e) {
            return new KeyVerification.Unverifiable("cannot reach upstream " + host() + ": " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new KeyVerification.Unverifiable("interrupted while verifying the key");
        }
        int status = response.statusCode();
        String errorType = errorType(response.body());
        if (status == 200) {
            return new KeyVerification.Valid();
        }
        if (status == 401 || status == 403) {
            return new KeyVerification.Rejected(status, errorType);
        }
        return new KeyVerification.Unverifiable("upstream " + host() + " answered " + status
                + (errorType.isEmpty() ? "" : " (" + errorType + ")"));
    }

    private String host() {
        return endpoint.getScheme() + "://" + endpoint.getAuthority();
    }

    /** Anthropic's {@code error.type} if the body has one (only the type: a fixed vocabulary, never echoed input). */
    private static String errorType(byte[] body) {
        try {
            JsonNode type = JSON.readTree(body).path("error").path("type");
            return type.isTextual() && type.asText().matches("[a-z_]{1,64}") ? type.asText() : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "HttpUpstreamKeyVerifier[" + host() + "]";
    }
}
