package dev.keywarden.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one reader of {@code .env} files, used by the configuration loader (development only) and by the
 * {@code dotenv:} secret source: {@code KEY=VALUE} lines, optional {@code export}, single or double quotes,
 * {@code #} comments (whole lines, or after a space in an unquoted value). A later definition wins.
 *
 * <p>Guarantee: a malformed line is reported by its number only, never by its content (which may be a secret).
 */
public final class DotEnv {

    /** A line that is not {@code KEY=VALUE}; the message holds only the line number. */
    public static final class MalformedLineException extends IllegalArgumentException {
        private final int line;

        MalformedLineException(int line) {
            super("line " + line + " is not KEY=VALUE", null);
            this.line = line;
        }

        /** The 1-based number of the malformed line. */
        public int line() {
            return line;
        }
    }

    private DotEnv() {
    }

    /**
     * The variables {@code text} defines, in order of first definition.
     *
     * @throws MalformedLineException for the first line that is neither blank, a comment nor {@code KEY=VALUE}
     */
    public static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
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
                throw new MalformedLineException(lineNo);
            }
            out.put(s.substring(0, eq).strip(), value(s.substring(eq + 1).strip()));
        }
        return out;
    }

    private static String value(String raw) {
        if (raw.length() >= 2 && (raw.startsWith("\"") && raw.endsWith("\"") || raw.startsWith("'") && raw.endsWith("'"))) {
            return raw.substring(1, raw.length() - 1);
        }
        int hash = raw.indexOf(" #");
        return hash >= 0 ? raw.substring(0, hash).strip() : raw;
    }

    /** The variables of {@code file}, for the loader: any problem is a {@link ConfigException} naming the file. */
    static Map<String, String> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(".env: cannot read " + file.toAbsolutePath() + " (" + e.getClass().getSimpleName()
                    + "); fix its permissions or remove it");
        }
        try {
            return parse(text);
        } catch (MalformedLineException e) {
            throw new ConfigException(".env: line " + e.line() + " of " + file.toAbsolutePath() + " is not KEY=VALUE; fix or remove that line");
        }
    }
}
