package dev.keywarden.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a {@code .env} file: {@code KEY=VALUE} lines, optional {@code export}, quotes and {@code #} comments. */
final class DotEnv {

    private DotEnv() {
    }

    static Map<String, String> read(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(".env: cannot read " + file.toAbsolutePath() + " (" + e.getClass().getSimpleName()
                    + "); fix its permissions or remove it");
        }
        int lineNo = 0;
        for (String line : text.split("\r?\n|\r")) {
            lineNo++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            if (s.startsWith("export ")) {
                s = s.substring(7).strip();
            }
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(".env: line " + lineNo + " of " + file.toAbsolutePath()
                        + " is not KEY=VALUE; fix or remove that line");
            }
            String key = s.substring(0, eq).strip();
            String value = s.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            } else {
                int hash = value.indexOf(" #");
                if (hash >= 0) {
                    value = value.substring(0, hash).strip();
                }
            }
            out.put(key, value);
        }
        return out;
    }
}
