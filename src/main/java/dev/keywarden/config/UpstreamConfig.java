package dev.keywarden.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
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
 * @param forwardHeaders request headers forwarded upstream besides the ones the API uses
 *                       ({@code upstream.forward_headers}): lower-case names, or prefixes ending in {@code *}
 * @param verifyKeyAtStart whether {@code serve} checks {@link #apiKey} against upstream at start-up
 *                       ({@code upstream.verify_key_at_start}, off with {@code --no-verify})
 */
public record UpstreamConfig(URI url, boolean urlExplicit, Optional<Secret> apiKey, String apiKeySetting,
                             Duration connectTimeout, Duration idleTimeout, int maxConnections, List<String> forwardHeaders,
                             boolean verifyKeyAtStart) {

    /** The setting {@link #verifyKeyAtStart} comes from, for messages. */
    public static final String VERIFY_KEY_AT_START_SETTING = "upstream.verify_key_at_start (KEYWARDEN_UPSTREAM_VERIFY_KEY_AT_START)";

    /** The setting {@link #forwardHeaders} comes from, for messages. */
    public static final String FORWARD_HEADERS_SETTING = "upstream.forward_headers (KEYWARDEN_UPSTREAM_FORWARD_HEADERS)";

    public UpstreamConfig {
        forwardHeaders = List.copyOf(forwardHeaders);
    }

    /** With the key checked at start-up (the default). */
    public UpstreamConfig(URI url, boolean urlExplicit, Optional<Secret> apiKey, String apiKeySetting,
                          Duration connectTimeout, Duration idleTimeout, int maxConnections, List<String> forwardHeaders) {
        this(url, urlExplicit, apiKey, apiKeySetting, connectTimeout, idleTimeout, maxConnections, forwardHeaders, true);
    }

    /** Without extra forwarded headers. */
    public UpstreamConfig(URI url, boolean urlExplicit, Optional<Secret> apiKey, String apiKeySetting,
                          Duration connectTimeout, Duration idleTimeout, int maxConnections) {
        this(url, urlExplicit, apiKey, apiKeySetting, connectTimeout, idleTimeout, maxConnections, List.of());
    }

    /** The same settings with {@code more} forwarded headers (demo mode adds the fake upstream's test controls). */
    public UpstreamConfig forwardingAlso(List<String> more) {
        List<String> all = new java.util.ArrayList<>(forwardHeaders);
        all.addAll(more);
        return new UpstreamConfig(url, urlExplicit, apiKey, apiKeySetting, connectTimeout, idleTimeout, maxConnections, all,
                verifyKeyAtStart);
    }
}
