package dev.keywarden.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;

/**
 * Prints doctor results: one line {@code PASS|WARN|FAIL  <item>  <detail>} per item followed, for WARN
 * and FAIL, by an indented {@code fix:} line and a summary; or a JSON array of
 * {@code {id, status, title, detail, fix}}.
 */
public final class DoctorReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DoctorReport() {
    }

    public static void printText(PrintWriter out, List<CheckResult> results) {
        int width = results.stream().mapToInt(r -> r.id().length()).max().orElse(0);
        int pass = 0;
        int warn = 0;
        int fail = 0;
        for (CheckResult r : results) {
            out.println(r.status() + "  " + pad(r.id(), width) + "  " + r.detail());
            if (r.status() != Status.PASS) {
                out.println("      fix: " + r.fix());
            }
            switch (r.status()) {
                case PASS -> pass++;
                case WARN -> warn++;
                case FAIL -> fail++;
            }
        }
        out.println();
        out.println("keywarden doctor: " + pass + " passed, " + warn + " warning(s), " + fail + " failed");
        out.flush();
    }

    public static void printJson(PrintWriter out, List<CheckResult> results) {
        ArrayNode array = JSON.createArrayNode();
        for (CheckResult r : results) {
            ObjectNode o = array.addObject();
            o.put("id", r.id());
            o.put("status", r.status().name());
            o.put("title", r.title());
            o.put("detail", r.detail());
            o.put("fix", r.fix());
        }
        try {
            out.println(JSON.writeValueAsString(array));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
