package dev.keywarden.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.metrics.SinceDuration;
import dev.keywarden.metrics.UsageReport;
import dev.keywarden.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code keywarden usage}: requests and tokens per principal, model or provider key, from the audit store. */
@Command(name = "usage", mixinStandardHelpOptions = true,
        description = {"Usage totals from the audit trail's call records, grouped by principal, model or provider key.",
                "Columns: requests, input, output and cache tokens, and cost in USD as priced with each call from the"
                        + " pricing table (provider keys by fingerprint). Cost is '-' for a group whose calls used only models"
                        + " without a price; calls of such models are never guessed and are counted below the table."})
public final class UsageCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--by", paramLabel = "principal|model|key", defaultValue = "principal",
            description = "Group rows by principal, model or key (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "7d",
            description = "How far back to look: 30m, 24h, 7d, 2w (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        UsageReport.By grouping;
        Duration window;
        try {
            grouping = UsageReport.By.parse(by);
            window = SinceDuration.parse(since);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        KeywardenConfig cfg = store.loadConfig();
        StoreOptions.requireExistingStore(cfg); // read-only: never creates a data directory or database
        UsageReport report;
        try (Database db = Database.open(cfg)) {
            report = UsageReport.read(new AuditStore(db), grouping, Instant.now().minus(window));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(report));
        } else {
            printTable(out, report);
        }
        out.flush();
        return 0;
    }

    static String toJson(UsageReport report) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("by", report.by().label());
        root.put("since", report.since().toString());
        ArrayNode rows = root.putArray("rows");
        report.rows().forEach(r -> rows.add(rowJson(mapper, report.by().label(), r)));
        root.set("total", rowJson(mapper, report.by().label(), report.total()));
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static ObjectNode rowJson(ObjectMapper mapper, String key, UsageReport.Row r) {
        ObjectNode n = mapper.createObjectNode();
        n.put(key, dev.keywarden.log.Redactor.redact(r.group()));
        n.put("requests", r.requests());
        n.put("input_tokens", r.inputTokens());
        n.put("output_tokens", r.outputTokens());
        n.put("cache_creation_input_tokens", r.cacheCreationInputTokens());
        n.put("cache_read_input_tokens", r.cacheReadInputTokens());
        if (r.costUsd() == null) {
            n.putNull("cost_usd");
        } else {
            n.put("cost_usd", r.costUsd());
        }
        n.put("unpriced_requests", r.unpricedRequests());
        return n;
    }

    static void printTable(PrintWriter out, UsageReport report) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[]{report.by().label().toUpperCase(java.util.Locale.ROOT), "REQUESTS", "INPUT", "OUTPUT",
                "CACHE_WRITE", "CACHE_READ", "COST"});
        report.rows().forEach(r -> lines.add(cells(r)));
        lines.add(cells(report.total()));
        int[] width = new int[7];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                width[i] = Math.max(width[i], l[i].length());
            }
        }
        out.printf("usage since %s by %s%n", report.since().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), report.by().label());
        for (String[] l : lines) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < l.length; i++) {
                if (i > 0) {
                    sb.append("  ");
                }
                sb.append(i == 0 ? String.format("%-" + width[i] + "s", l[i]) : String.format("%" + width[i] + "s", l[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
        long unpriced = report.total().unpricedRequests();
        if (unpriced > 0) {
            out.printf("COST leaves out %d call%s of models without a price; add them with pricing.file (see docs/limits.md)%n",
                    unpriced, unpriced == 1 ? "" : "s");
        }
    }

    private static String[] cells(UsageReport.Row r) {
        return new String[]{dev.keywarden.log.Redactor.redact(r.group()), Long.toString(r.requests()),
                Long.toString(r.inputTokens()), Long.toString(r.outputTokens()),
                Long.toString(r.cacheCreationInputTokens()), Long.toString(r.cacheReadInputTokens()),
                r.costUsd() == null ? "-" : String.format("%.4f", r.costUsd())};
    }
}
