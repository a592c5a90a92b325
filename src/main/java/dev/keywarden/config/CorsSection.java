package dev.keywarden.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code cors.*}: cross-origin access for browsers. */
final class CorsSection {

    static final Setting ALLOWED_ORIGINS = Setting.of("cors.allowed_origins", "KEYWARDEN_CORS_ALLOWED_ORIGINS", null,
            "origins (scheme://host[:port], a YAML list or comma-separated) whose pages may call the gateway from a browser;"
                    + " * allows every origin without credentials (keywarden doctor fails it); null is refused")
            .asList().shown("none: same origin only");
    static final Setting ALLOW_CREDENTIALS = Setting.of("cors.allow_credentials", "KEYWARDEN_CORS_ALLOW_CREDENTIALS", "false",
            "listed origins may send cookies (the session) with their calls; refused together with *");
    static final Setting MAX_AGE = Setting.of("cors.max_age", "KEYWARDEN_CORS_MAX_AGE", "10m",
            "how long a browser may cache a preflight answer (Access-Control-Max-Age); 0s to 1d");
    static final List<Setting> SETTINGS = List.of(ALLOWED_ORIGINS, ALLOW_CREDENTIALS, MAX_AGE);

    private CorsSection() {
    }

    static CorsConfig parse(Values values) {
        List<String> origins = values.optional(ALLOWED_ORIGINS, CorsSection::origins).orElse(List.of());
        boolean credentials = values.read(ALLOW_CREDENTIALS, Values::trueFalse);
        Duration maxAge = values.read(MAX_AGE, raw -> {
            Duration d = Values.duration(raw);
            if (d.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("must be at most 1d (browsers cap it lower anyway)");
            }
            return d;
        });
        if (credentials && origins.contains("*")) {
            throw Values.error(ALLOW_CREDENTIALS, "cannot be true while cors.allowed_origins holds * (any page could"
                    + " call with a visitor's cookies); list the exact origins instead of *, or set it to false");
        }
        return new CorsConfig(origins, credentials, maxAge);
    }

    private static List<String> origins(String raw) {
        List<String> out = new ArrayList<>();
        for (String part : raw.split("[,\\s]+")) {
            String o = part.strip();
            if (o.isEmpty()) {
                continue;
            }
            if (o.equalsIgnoreCase("null")) {
                throw new IllegalArgumentException("must not list null: sandboxed frames, file: pages and redirected"
                        + " requests all send Origin: null, so it would let any of them in; list the page's real origin");
            }
            String normal = o.equals("*") ? o : normalised(o);
            if (normal == null) {
                throw new IllegalArgumentException("must list origins such as https://app.example.com (scheme, host and"
                        + " optional port; no path)");
            }
            if (!out.contains(normal)) {
                out.add(normal);
            }
        }
        return out;
    }

    /** {@code o} as a browser sends it in {@code Origin} (lower case, no default port), or null when it is no origin. */
    static String normalised(String o) {
        try {
            URI u = new URI(o);
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (!("http".equals(scheme) || "https".equals(scheme)) || u.getHost() == null || u.getRawUserInfo() != null
                    || (u.getRawPath() != null && !u.getRawPath().isEmpty()) || u.getRawQuery() != null
                    || u.getRawFragment() != null) {
                return null;
            }
            int port = u.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
