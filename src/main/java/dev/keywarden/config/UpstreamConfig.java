package dev.keywarden.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how the gateway calls Anthropic.
 *
 * @param url            base URL of the Anthropic API (or a fake upstream)
 * @param urlExplicit    whether the operator set the URL (a configured URL never falls back to demo mode)
 * @param apiKey         the provider key, when configured (validated: {@code sk-ant-} prefix, charset, length)
 * @param apiKeySetting  the setting that supplied the key, for messages ({@code ANTHROPIC_API_KEY} or {@code upstream.api_key})
 * @param connectTimeout TCP connect timeout
 * @param idleTimeout    longest silence from upstream before the call fails with 504
 * @param maxConnections connection pool cap towards the upstream
 */
public record UpstreamConfig(URI url, boolean urlExplicit, Optional<Secret> apiKey, String apiKeySetting,
                             Duration connectTimeout, Duration idleTimeout, int maxConnections) {
}
