package dev.keywarden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.vault.ProviderKeyStatus;
import dev.keywarden.vault.ProviderKeyView;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How provider keys are printed by the CLI, from the same JSON view the admin API returns
 * ({@link ProviderKeyView}), so local and remote output are identical.
 *
 * <p>Guarantee: only fields of that view are printed: ids, labels, fingerprints, states and
 * times, never a key.
 */
final class ProviderKeyOutput {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String OVERDUE = "OVERDUE";

    private ProviderKeyOutput() {
    }

    /** The admin API's JSON view of each status. */
    static ArrayNode toJson(List<ProviderKeyStatus> keys) {
        ArrayNode array = JSON.createArrayNode();
        keys.forEach(k -> array.add(JSON.valueToTree(ProviderKeyView.of(k))));
        return array;
    }

    /** The table of {@code keys list}: fingerprint, short SHA-256, rotation due date and an OVERDUE marker. */
    static void printTable(PrintWriter out, JsonNode keys) {
        String[] header = {"ID", "LABEL", "ENV", "STATE", "FINGERPRINT", "SHA256", "PRIORITY", "LAST USED", "ROTATION DUE"};
        List<String[]> rows = new ArrayList<>();
        for (JsonNode k : keys) {
            String sha = k.path("sha256").asText("");
            String due = date(k.path("rotation_due_at"), "-");
            if (k.path("overdue").asBoolean(false)) {
                due = due + " " + OVERDUE;
            }
            rows.add(new String[] {k.path("id").asText(), k.path("label").asText(), k.path("environment").asText(),
                    k.path("state").asText(), k.path("fingerprint").asText(), sha.substring(0, Math.min(16, sha.length())),
                    k.path("priority").asText(), seconds(k.path("last_used_at"), "never"), due});
        }
        Table.print(out, header, rows);
    }

    /** One line for a key: {@code pk_... (sk-ant-api03-…WXYZ, sha256 0123abcd…) state}. */
    static String describe(JsonNode k) {
        String sha = k.path("sha256").asText("");
        return k.path("id").asText() + " (" + k.path("fingerprint").asText() + ", sha256 "
                + sha.substring(0, Math.min(16, sha.length())) + ") " + k.path("state").asText();
    }

    private static String date(JsonNode node, String absent) {
        String s = node.isNull() || node.isMissingNode() ? null : node.asText();
        return s == null || s.length() < 10 ? absent : s.substring(0, 10);
    }

    private static String seconds(JsonNode node, String absent) {
        String s = node.isNull() || node.isMissingNode() ? null : node.asText();
        if (s == null || s.isBlank()) {
            return absent;
        }
        int dot = s.indexOf('.');
        return dot > 0 && s.endsWith("Z") ? s.substring(0, dot) + "Z" : s;
    }

    /**
     * Prints the rotation steps as they happen in a local rotation (pending, verified, active,
     * draining, revoked), from the security events the vault records; fingerprints only.
     */
    static SecurityEvents stepPrinter(PrintWriter out) {
        Map<String, String> steps = Map.of(
                "provider_key.added", "pending ",
                "provider_key.verified", "verified",
                "provider_key.activated", "active  ",
                "provider_key.draining", "draining",
                "provider_key.drained", "drained ",
                "provider_key.drain_timeout", "drain timed out, cutting calls in flight on",
                "provider_key.revoked", "revoked ",
                "provider_key.verification_rejected", "REJECTED by upstream:",
                "provider_key.verification_unavailable", "NOT VERIFIED (upstream unavailable):");
        return event -> {
            String step = steps.get(event.type());
            if (step != null) {
                out.println("  " + step + " " + event.subject() + " (" + event.details().getOrDefault("fingerprint", "?") + ")");
                out.flush();
            }
        };
    }

    /** Both {@code first} and {@code second}; a failure of either never stops the other. */
    static SecurityEvents both(SecurityEvents first, SecurityEvents second) {
        return (SecurityEvent e) -> {
            try {
                first.record(e);
            } finally {
                second.record(e);
            }
        };
    }

    /** A fixed-width text table (the style of {@code keys list}). */
    static final class Table {
        private Table() {
        }

        static void print(PrintWriter out, String[] header, List<String[]> rows) {
            int[] widths = new int[header.length];
            for (int i = 0; i < header.length; i++) {
                widths[i] = header[i].length();
                for (String[] row : rows) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            }
            printRow(out, header, widths);
            rows.forEach(row -> printRow(out, row, widths));
        }

        private static void printRow(PrintWriter out, String[] cells, int[] widths) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                line.append(i == cells.length - 1 ? cells[i] : String.format("%-" + widths[i] + "s  ", cells[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
