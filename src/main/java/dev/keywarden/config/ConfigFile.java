package dev.keywarden.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code keywarden.yaml}: nested mappings flattened to YAML paths ({@code upstream.url}), each
 * checked against {@link ConfigSchema} as it is read. Guarantee: an unknown path, a list where one
 * value belongs, or a file that is not a YAML mapping raises {@link ConfigException} naming it.
 */
final class ConfigFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigFile() {
    }

    /** The settings in {@code file} by YAML path (tier names lower-cased; lists joined with commas). */
    static Map<String, String> read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException("--config: " + file.toAbsolutePath() + " is not valid YAML (" + firstLine(e.getMessage())
                    + "); fix the file");
        }
        Map<String, String> flat = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new ConfigException("--config: " + file.toAbsolutePath() + " must be a YAML mapping of settings");
            }
            flatten("", root, flat, file.getFileName().toString());
        }
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, String fileName) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode value = e.getValue();
            if (value.isObject()) {
                flatten(path, value, out, fileName);
                continue;
            }
            Setting s = ConfigSchema.find(path).orElseThrow(() -> ConfigSchema.unknownPath(path, fileName));
            if (value.isNull()) {
                continue;
            }
            if (value.isArray() && s.list()) {
                List<String> items = new ArrayList<>();
                value.forEach(item -> {
                    if (!item.isValueNode()) {
                        throw Values.error(s, "must be a list of single values");
                    }
                    items.add(item.asText());
                });
                out.put(s.path(), String.join(",", items));
            } else if (!value.isValueNode()) {
                throw Values.error(s, "must be a single value, not a list");
            } else {
                out.put(s.path(), value.asText());
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
