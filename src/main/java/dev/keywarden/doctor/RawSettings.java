package dev.keywarden.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keywarden.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings as the operator wrote them, flattened to YAML paths ({@code tiers.pro.daily_budget_usd}),
 * from the same file {@code ConfigLoader} reads ({@code --config}, else {@code keywarden.yaml} in the
 * working directory) and then from {@code KEYWARDEN_TIERS_*} and {@code KEYWARDEN_CORS_*} variables.
 *
 * <p>Used only for settings the validated configuration does not model; the doctor never prints
 * values of these maps other than numbers and origins, and secret settings are dropped on reading.
 */
public final class RawSettings {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String[] TIER_FIELDS = {"daily_budget_usd", "monthly_budget_usd", "requests_per_minute",
            "input_tokens_per_minute", "output_tokens_per_minute", "concurrent_requests"};

    private RawSettings() {
    }

    /**
     * @param configFile the {@code --config} file, or null for {@code keywarden.yaml} in {@code workDir} when present
     */
    public static Map<String, String> read(Path configFile, Path workDir, Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        Path file = configFile != null ? configFile : workDir.resolve("keywarden.yaml");
        if (Files.isRegularFile(file)) {
            try {
                JsonNode root = YAML.readTree(file.toFile());
                if (root != null && root.isObject()) {
                    flatten("", root, out);
                }
            } catch (IOException e) {
                throw new ConfigException("--config: " + file.toAbsolutePath() + " is not valid YAML; fix the file");
            }
        }
        env.forEach((k, v) -> {
            if (v == null || v.isBlank()) {
                return;
            }
            if (k.startsWith("KEYWARDEN_TIERS_")) {
                String rest = k.substring("KEYWARDEN_TIERS_".length()).toLowerCase(Locale.ROOT);
                for (String field : TIER_FIELDS) {
                    if (rest.endsWith("_" + field) && rest.length() > field.length() + 1) {
                        out.put("tiers." + rest.substring(0, rest.length() - field.length() - 1) + "." + field, v.strip());
                    }
                }
            } else if (k.startsWith("KEYWARDEN_CORS_")) {
                out.put("cors." + k.substring("KEYWARDEN_CORS_".length()).toLowerCase(Locale.ROOT), v.strip());
            }
        });
        out.keySet().removeIf(RawSettings::secretLooking);
        return out;
    }

    private static boolean secretLooking(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.endsWith("password") || p.endsWith("passphrase") || p.endsWith("secret") || p.endsWith("api_key")
                || p.endsWith("token");
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(path, v, out);
            } else if (v.isArray()) {
                StringBuilder joined = new StringBuilder();
                v.forEach(x -> joined.append(joined.isEmpty() ? "" : ",").append(x.asText()));
                out.put(path, joined.toString());
            } else if (!v.isNull()) {
                out.put(path, v.asText());
            }
        }
    }
}
