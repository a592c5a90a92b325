package dev.keywarden.doctor;

import java.util.Map;
import java.util.TreeMap;

/**
 * Cross-origin access is not opened to every origin. Keywarden itself sends no CORS headers (browsers
 * may only call it from its own origin); if a {@code cors.*} setting is present (a later version, or a
 * front end configured through the same file), a {@code *} origin is a FAIL.
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
        Map<String, String> cors = new TreeMap<>();
        input.raw().forEach((k, v) -> {
            if (k.startsWith("cors.")) {
                cors.put(k, v);
            }
        });
        if (cors.isEmpty()) {
            return pass("no CORS configured (same-origin only)");
        }
        for (Map.Entry<String, String> e : cors.entrySet()) {
            boolean originSetting = e.getKey().contains("origin");
            boolean wildcard = java.util.Arrays.stream(e.getValue().split("[,\\s]+")).anyMatch(o -> o.strip().equals("*"));
            if (originSetting && wildcard) {
                return fail(e.getKey() + " allows every origin (*): any web page can call the gateway with a visitor's "
                        + "credentials", "list the exact origins allowed in " + e.getKey() + " (e.g. https://app.example.com)");
            }
        }
        return pass("CORS limited to listed origins (" + String.join(", ", cors.keySet()) + ")");
    }
}
