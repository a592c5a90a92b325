package dev.keywarden.doctor;

import dev.keywarden.config.CorsConfig;

import java.util.List;

/**
 * Cross-origin access is not opened to every origin, judged on the loaded {@code cors.*} settings (the same ones
 * the gateway applies): {@code cors.allowed_origins} holding {@code *} is a FAIL; a listed {@code http://} origin
 * that is not loopback is a WARN (its pages, and so the calls they make, can be altered on the network); listed
 * {@code https://} or loopback origins are a PASS, as is no setting (no CORS headers: same origin only).
 */
final class CorsCheck implements Check {

    @Override
    public String id() {
        return "cors";
    }

    @Override
    public String title() {
        return "CORS not wildcard";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        CorsConfig cors = input.config().cors();
        List<String> origins = cors.allowedOrigins();
        if (origins.isEmpty()) {
            return pass("no CORS configured (same-origin only)");
        }
        if (cors.anyOrigin()) {
            return fail("cors.allowed_origins allows every origin (*): any web page can call the gateway from a visitor's "
                    + "browser", "list the exact origins allowed in cors.allowed_origins (e.g. https://app.example.com)");
        }
        List<String> cleartext = origins.stream().filter(o -> o.startsWith("http://") && !loopback(o)).toList();
        String credentials = cors.allowCredentials() ? ", with credentials" : "";
        if (!cleartext.isEmpty()) {
            return warn("cors.allowed_origins lists plain-http origins (" + String.join(", ", cleartext) + credentials
                    + "): their pages can be altered in transit", "serve those pages over https and list the https origins");
        }
        return pass("CORS limited to listed origins (" + String.join(", ", origins) + credentials + ")");
    }

    private static boolean loopback(String origin) {
        String host = origin.substring("http://".length()).replaceFirst(":\\d+$", "");
        return host.equals("localhost") || host.equals("[::1]") || host.startsWith("127.");
    }
}
