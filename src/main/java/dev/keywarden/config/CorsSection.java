package dev.keywarden.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/** {@code cors.*}: cross-origin access for browsers. */
final class CorsSection {

    static final Setting ALLOWED_ORIGINS = Setting.of("cors.allowed_origins", "KEYWARDEN_CORS_ALLOWED_ORIGINS", null,
            "origins (scheme://host[:port], a YAML list or comma-separated) whose pages may call the gateway from a browser;"
                    + " checked by keywarden doctor (* fails); the gateway sends no CORS headers yet")
            .asList().shown("none: same origin only");
    static final List<Setting> SETTINGS = List.of(ALLOWED_ORIGINS);

    private CorsSection() {
    }

    static CorsConfig parse(Values values) {
        return new CorsConfig(values.optional(ALLOWED_ORIGINS, CorsSection::origins).orElse(List.of()));
    }

    private static List<String> origins(String raw) {
        List<String> out = new ArrayList<>();
        for (String part : raw.split("[,\\s]+")) {
            String o = part.strip();
            if (o.isEmpty()) {
                continue;
            }
            if (!o.equals("*") && !isOrigin(o)) {
                throw new IllegalArgumentException("must list origins such as https://app.example.com (scheme, host and"
                        + " optional port; no path)");
            }
            out.add(o);
        }
        return out;
    }

    private static boolean isOrigin(String o) {
        try {
            URI u = new URI(o);
            return (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
                    && u.getRawUserInfo() == null && (u.getRawPath() == null || u.getRawPath().isEmpty())
                    && u.getRawQuery() == null && u.getRawFragment() == null);
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
