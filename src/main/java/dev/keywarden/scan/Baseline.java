package dev.keywarden.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Findings accepted earlier, identified only by {@link Finding#fingerprint} (rule, path and a
 * SHA-256 of the secret; never the secret). A baseline file is a report written with
 * {@code --format json}: an array of findings (or an object with a {@code findings} array), of
 * which only the {@code fingerprint} fields are read.
 */
public final class Baseline {

    private final Set<String> fingerprints;

    private Baseline(Set<String> fingerprints) {
        this.fingerprints = Set.copyOf(fingerprints);
    }

    public static Baseline empty() {
        return new Baseline(Set.of());
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException naming the file and the expected format when it cannot be used
     */
    public static Baseline read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read baseline " + file + " (" + e.getClass().getSimpleName()
                    + "); create one with: keywarden scan --format json --output " + file);
        }
        JsonNode list = root != null && root.isObject() ? root.get("findings") : root;
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("baseline " + file + " is not a JSON array of findings; create one with: keywarden scan --format json --output " + file);
        }
        Set<String> fps = new HashSet<>();
        for (JsonNode f : list) {
            JsonNode fp = f.get("fingerprint");
            if (fp == null || !fp.isTextual()) {
                throw new IllegalArgumentException("baseline " + file + ": an entry has no 'fingerprint'; regenerate it with --format json");
            }
            fps.add(fp.asText());
        }
        return new Baseline(fps);
    }

    public boolean accepts(Finding f) {
        return fingerprints.contains(f.fingerprint());
    }

    /** {@code findings} without the accepted ones. */
    public List<Finding> filter(List<Finding> findings) {
        return fingerprints.isEmpty() ? findings : findings.stream().filter(f -> !accepts(f)).toList();
    }

    public int size() {
        return fingerprints.size();
    }
}
