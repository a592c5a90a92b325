package dev.keywarden.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Findings as a SARIF 2.1.0 log, so code-scanning UIs can show them: one run, the rule set as the
 * driver's rules, one result per finding with its location, the masked secret in the message,
 * the fingerprint in {@code partialFingerprints} and the commit (for history) in properties.
 */
final class SarifReport {

    static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
    static final String FINGERPRINT_KEY = "keywardenFingerprint/v1";

    private SarifReport() {
    }

    static ObjectNode build(List<Finding> findings, RuleSet rules) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode log = json.objectNode();
        log.put("$schema", SCHEMA);
        log.put("version", "2.1.0");
        ObjectNode run = log.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "keywarden-scan");
        String version = SarifReport.class.getPackage().getImplementationVersion();
        driver.put("semanticVersion", version == null ? "0.0.0" : version);
        ArrayNode ruleArray = driver.putArray("rules");
        Map<String, Integer> index = new HashMap<>();
        for (Rule r : rules.rules()) {
            index.put(r.id(), ruleArray.size());
            ObjectNode rn = ruleArray.addObject();
            rn.put("id", r.id());
            rn.put("name", r.id());
            rn.putObject("shortDescription").put("text", r.description());
            rn.putObject("defaultConfiguration").put("level", "error");
        }
        ArrayNode results = run.putArray("results");
        for (Finding f : findings) {
            ObjectNode res = results.addObject();
            res.put("ruleId", f.ruleId());
            Integer i = index.get(f.ruleId());
            if (i != null) {
                res.put("ruleIndex", i);
            }
            res.put("level", "error");
            res.putObject("message").put("text", f.description() + " found: " + f.masked()
                    + (f.commit() == null ? "" : " (commit " + f.commit() + ")")
                    + ". Remove it and rotate the credential.");
            ObjectNode physical = res.putArray("locations").addObject().putObject("physicalLocation");
            physical.putObject("artifactLocation").put("uri", uri(f.path()));
            ObjectNode region = physical.putObject("region");
            region.put("startLine", Math.max(1, f.line()));
            region.put("startColumn", Math.max(1, f.column()));
            res.putObject("partialFingerprints").put(FINGERPRINT_KEY, f.fingerprint());
            if (f.commit() != null) {
                res.putObject("properties").put("commit", f.commit());
            }
        }
        return log;
    }

    /** A relative path as a URI reference (spaces and other reserved characters escaped). */
    static String uri(String path) {
        try {
            return new URI(null, null, path, null).toASCIIString();
        } catch (URISyntaxException e) {
            return path.replace(" ", "%20");
        }
    }
}
