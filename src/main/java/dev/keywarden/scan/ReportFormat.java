package dev.keywarden.scan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * How findings are written: a human table, a JSON array (also the baseline format) or SARIF 2.1.0.
 * Every format prints only {@link Finding}'s fields, so no format can contain a whole secret.
 */
public enum ReportFormat {
    TABLE {
        @Override
        public void write(List<Finding> findings, RuleSet rules, Writer out) throws IOException {
            TableReport.write(findings, out);
        }
    },
    JSON {
        @Override
        public void write(List<Finding> findings, RuleSet rules, Writer out) throws IOException {
            ArrayNode array = MAPPER.createArrayNode();
            for (Finding f : findings) {
                ObjectNode n = array.addObject();
                n.put("ruleId", f.ruleId());
                n.put("description", f.description());
                n.put("path", f.path());
                n.put("line", f.line());
                n.put("column", f.column());
                if (f.commit() != null) {
                    n.put("commit", f.commit());
                }
                n.put("secret", f.masked());
                n.put("fingerprint", f.fingerprint());
            }
            MAPPER.writeValue(out, array);
            out.write(System.lineSeparator());
        }
    },
    SARIF {
        @Override
        public void write(List<Finding> findings, RuleSet rules, Writer out) throws IOException {
            MAPPER.writeValue(out, SarifReport.build(findings, rules));
            out.write(System.lineSeparator());
        }
    };

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** Writes {@code findings} (already filtered by the baseline) to {@code out}; does not close it. */
    public abstract void write(List<Finding> findings, RuleSet rules, Writer out) throws IOException;
}
