package dev.keywarden.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code upstream.*}: where and how the gateway calls Anthropic, and the single provider key without the vault. */
final class UpstreamSection {

    static final Setting URL = Setting.of("upstream.url", "KEYWARDEN_UPSTREAM_URL", "https://api.anthropic.com",
            "base URL of the Anthropic API (or a stand-in); setting it never falls back to demo mode");
    static final Setting API_KEY = Setting.of("upstream.api_key", "ANTHROPIC_API_KEY", null,
            "the provider key when the vault is off (validated at start-up, never logged); prefer the variable to the file")
            .asSecret().shown("none: demo mode");
    static final Setting CONNECT_TIMEOUT = Setting.of("upstream.connect_timeout", "KEYWARDEN_UPSTREAM_CONNECT_TIMEOUT", "10s",
            "TCP connect timeout towards the upstream");
    static final Setting IDLE_TIMEOUT = Setting.of("upstream.idle_timeout", "KEYWARDEN_UPSTREAM_IDLE_TIMEOUT", "600s",
            "longest silence from upstream before the call fails with 504");
    static final Setting MAX_CONNECTIONS = Setting.of("upstream.max_connections", "KEYWARDEN_UPSTREAM_MAX_CONNECTIONS", "16384",
            "cap on calls in flight towards the upstream, each holding one connection (a held stream also uses two file"
                    + " descriptors); the call beyond it is refused at once with 529 overloaded_error and retry-after: 1, never queued");
    static final Setting FORWARD_HEADERS = Setting.of("upstream.forward_headers", "KEYWARDEN_UPSTREAM_FORWARD_HEADERS", "",
            "request headers forwarded upstream besides the API's own (anthropic-*, content-type, accept, user-agent, x-stainless-*):"
                    + " names or prefix* patterns, e.g. x-app, x-claude-code-*").asList().shown("none");
    static final Setting VERIFY_KEY_AT_START = Setting.of("upstream.verify_key_at_start", "KEYWARDEN_UPSTREAM_VERIFY_KEY_AT_START",
            "true", "check ANTHROPIC_API_KEY (vault off) with GET /v1/models at start-up: a refused key stops staging and production,"
                    + " an unreachable upstream stops start-up (flag --no-verify sets false)");
    static final List<Setting> SETTINGS = List.of(URL, API_KEY, CONNECT_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS, FORWARD_HEADERS,
            VERIFY_KEY_AT_START);

    private static final Pattern PROVIDER_KEY = Pattern.compile("sk-ant-[A-Za-z0-9_-]{33,249}");

    private UpstreamSection() {
    }

    /** @param vaultEnabled whether provider keys come from the vault (then no key here is fine) */
    static UpstreamConfig parse(Values values, boolean vaultEnabled, List<String> notices) {
        URI url = values.read(URL, UpstreamSection::url);
        Optional<Secret> apiKey = values.text(API_KEY).map(Secret::of);
        boolean keyInFile = values.origin(API_KEY) == Values.Origin.FILE;
        String apiKeySetting = keyInFile ? API_KEY.path() + " in the config file" : API_KEY.env();
        apiKey.ifPresent(k -> validateProviderKey(k, apiKeySetting));
        if (apiKey.isPresent() && keyInFile) {
            notices.add("WARN the provider key is stored in the config file (upstream.api_key); prefer the ANTHROPIC_API_KEY"
                    + " environment variable or the vault");
        }
        if (apiKey.isEmpty() && values.isGiven(URL) && !vaultEnabled) {
            throw new ConfigException("ANTHROPIC_API_KEY is not set but upstream.url (KEYWARDEN_UPSTREAM_URL) is: set ANTHROPIC_API_KEY"
                    + " to the provider key for " + url.getHost() + ", or unset KEYWARDEN_UPSTREAM_URL to run the demo");
        }
        return new UpstreamConfig(url, values.isGiven(URL), apiKey, apiKeySetting,
                values.read(CONNECT_TIMEOUT, Values::positiveDuration),
                values.read(IDLE_TIMEOUT, Values::positiveDuration),
                values.read(MAX_CONNECTIONS, Values::positiveInt),
                values.read(FORWARD_HEADERS, UpstreamSection::headerNames),
                values.read(VERIFY_KEY_AT_START, Values::trueFalse));
    }

    /** A comma list of header names or {@code prefix*} patterns, lower-cased (the gateway checks what they may cover). */
    private static List<String> headerNames(String raw) {
        List<String> out = new java.util.ArrayList<>();
        for (String part : raw == null ? new String[0] : raw.split(",")) {
            String name = part.strip().toLowerCase(java.util.Locale.ROOT);
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    private static URI url(String raw) {
        URI u = Values.httpUrl(raw, "https://api.anthropic.com");
        if (u.getUserInfo() != null) {
            throw new IllegalArgumentException("must not contain credentials; use ANTHROPIC_API_KEY");
        }
        if (u.getQuery() != null || u.getFragment() != null) {
            throw new IllegalArgumentException("must not have a query or fragment");
        }
        String s = u.toString();
        return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    private static void validateProviderKey(Secret key, String setting) {
        String k = key.reveal();
        if (!PROVIDER_KEY.matcher(k).matches()) {
            String why = !k.startsWith("sk-ant-") ? "it does not start with sk-ant-"
                    : k.length() < 40 || k.length() > 256 ? "its length (" + k.length() + ") is not plausible (40 to 256 characters)"
                    : "it contains characters other than A-Z a-z 0-9 _ -";
            throw new ConfigException(setting + ": the value is not an Anthropic API key (" + why
                    + "); set it to the key from the Anthropic console, or unset it to run the demo");
        }
    }
}
