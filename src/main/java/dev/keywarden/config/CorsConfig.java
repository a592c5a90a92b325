package dev.keywarden.config;

import java.util.List;

/**
 * Cross-origin access ({@code cors.allowed_origins}): the origins whose web pages may call the gateway
 * from a browser. The gateway itself sends no CORS headers yet (browsers may only call it from its own
 * origin); {@code keywarden doctor} already judges this setting, and the web entry point will apply it.
 *
 * @param allowedOrigins {@code scheme://host[:port]} origins, or {@code *}; empty means same-origin only
 */
public record CorsConfig(List<String> allowedOrigins) {

    public CorsConfig {
        allowedOrigins = List.copyOf(allowedOrigins);
    }
}
