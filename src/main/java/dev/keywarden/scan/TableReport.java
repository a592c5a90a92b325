package dev.keywarden.scan;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/** The human-readable table: rule, location ({@code [commit:]path:line}), masked secret. */
final class TableReport {
    private TableReport() {
    }

    static void write(List<Finding> findings, Writer out) throws IOException {
        String nl = System.lineSeparator();
        if (findings.isEmpty()) {
            out.write("no secrets found" + nl);
            return;
        }
        int ruleWidth = "RULE".length();
        int locWidth = "LOCATION".length();
        for (Finding f : findings) {
            ruleWidth = Math.max(ruleWidth, f.ruleId().length());
            locWidth = Math.max(locWidth, f.location().length());
        }
        String row = "%-" + ruleWidth + "s  %-" + locWidth + "s  %s" + nl;
        out.write(String.format(row, "RULE", "LOCATION", "SECRET (masked)"));
        for (Finding f : findings) {
            out.write(String.format(row, f.ruleId(), f.location(), f.masked()));
        }
        out.write(nl + findings.size() + (findings.size() == 1 ? " secret" : " secrets") + " found. Remove "
                + (findings.size() == 1 ? "it" : "them") + " and rotate the credential; if a finding is a false positive, add "
                + SecretScanner.ALLOW_MARKER + " on its line or accept it with --baseline." + nl);
    }
}
