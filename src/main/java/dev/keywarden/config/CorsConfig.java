package dev.keywarden.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Cross-origin access ({@code cors.*}): the origins whose web pages may call the gateway from a browser, whether
 * they may send credentials (cookies), and how long a browser may cache a preflight answer. Guarantees of a loaded
 * value: every origin is {@code scheme://host[:port]} in the form browsers send it (lower case, no default port) or
 * {@code *}; {@code null} is never listed; {@code *} is never combined with credentials.
 *
 * @param allowedOrigins   normalised origins, or {@code *}; empty means same-origin only (no CORS headers at all)
 * @param allowCredentials whether listed origins get {@code Access-Control-Allow-Credentials: true}
 * @param maxAge           {@code Access-Control-Max-Age} of a preflight answer
 */
public record CorsConfig(List<String> allowedOrigins, boolean allowCredentials, Duration maxAge) {

    /** The default: no cross-origin access. */
    public static final CorsConfig SAME_ORIGIN_ONLY = new CorsConfig(List.of(), false, Duration.ofMinutes(10));

    public CorsConfig {
        allowedOrigins = List.copyOf(allowedOrigins);
        Objects.requireNonNull(maxAge, "maxAge");
    }

    /** Whether any cross-origin access is configured. */
    public boolean enabled() {
        return !allowedOrigins.isEmpty();
    }

    /** Whether every origin is allowed ({@code *}). */
    public boolean anyOrigin() {
        return allowedOrigins.contains("*");
    }
}
