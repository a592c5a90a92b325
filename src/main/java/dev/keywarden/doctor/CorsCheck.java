package dev.keywarden.doctor;

import java.util.List;

/**
 * Cross-origin access is not opened to every origin: {@code cors.allowed_origins} must not hold
 * {@code *} (a FAIL). Without the setting Keywarden sends no CORS headers, so browsers may only call it
 * from its own origin (a PASS).
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
        List<String> origins = input.config().cors().allowedOrigins();
        if (origins.isEmpty()) {
            return pass("no CORS configured (same-origin only)");
        }
        if (origins.contains("*")) {
            return fail("cors.allowed_origins allows every origin (*): any web page can call the gateway with a visitor's "
                    + "credentials", "list the exact origins allowed in cors.allowed_origins (e.g. https://app.example.com)");
        }
        return pass("CORS limited to listed origins (" + String.join(", ", origins) + ")");
    }
}
