package dev.keywarden.upstream.fake;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One request the fake upstream received and what it answered, as seen on the wire.
 *
 * <p>Guarantee: {@code headers} has lower-case names in arrival order, each with its values in
 * arrival order; {@code responseBody} is exactly the payload bytes written so far (for a stream,
 * every SSE byte, without chunked framing). {@code status} is 0 while no response has been started
 * (for example a {@code hang} request). {@link #toString()} never shows credential header values;
 * {@link #apiKeySha256()} names the presented key without revealing it.
 *
 * @param method       HTTP method, e.g. {@code POST}
 * @param path         raw request path, e.g. {@code /v1/messages}
 * @param query        raw query string without {@code ?}, or null when there was none
 * @param headers      request headers, names in lower case
 * @param requestBody  the request body bytes (empty when there was none)
 * @param status       response status, or 0 when no response was started
 * @param responseBody the response payload bytes written
 * @param apiKeySha256 lower-case hex SHA-256 of the key presented ({@code x-api-key}, else
 *                     {@code Authorization: Bearer}), or null when none was; see
 *                     {@link FakeUpstream#fingerprintOf}
 * @param arrivedAt    when the request arrived (wall clock)
 * @param arrivedNanos when the request arrived, as {@link System#nanoTime()} of this JVM (to order it
 *                     against events measured in a test)
 */
public record RecordedExchange(String method, String path, String query, Map<String, List<String>> headers,
                               byte[] requestBody, int status, byte[] responseBody, String apiKeySha256,
                               java.time.Instant arrivedAt, long arrivedNanos) {

    /** The first value of the named request header (any case), or null when it was absent. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The request body decoded as UTF-8. */
    public String requestBodyText() {
        return new String(requestBody, StandardCharsets.UTF_8);
    }

    /** The response payload decoded as UTF-8. */
    public String responseBodyText() {
        return new String(responseBody, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RecordedExchange[" + method + " " + path + (query == null ? "" : "?" + query)
                + ", status=" + status + ", requestBody=" + requestBody.length + " bytes, responseBody="
                + responseBody.length + " bytes, headers=" + headers.keySet()
                + ", key=" + (apiKeySha256 == null ? "none" : "sha256:" + apiKeySha256.substring(0, 16)) + "]";
    }
}
