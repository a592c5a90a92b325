package dev.keywarden.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every guard decision about one call, for the {@code keywarden-guard} response header and the
 * audit record. Holds check names, positions and scores only — never the text that triggered a
 * check, never a secret. Thread-safe: the input guard records on the request's thread, the output
 * filter on the relay's callbacks. The {@link ExchangeRecord} holds an immutable {@link Snapshot}.
 */
public final class GuardReport {

    /** The response header naming the decisions, e.g. {@code keywarden-guard: redacted=secret:aws-access-key-id; flagged=injection}. */
    public static final String HEADER = "keywarden-guard";

    /** What was done about a finding. */
    public enum Outcome { BLOCKED, REDACTED, FLAGGED }

    /**
     * One finding.
     *
     * @param check  {@code validation:<field>}, {@code secret:<rule id>}, {@code injection}, {@code output-secret:<rule id>}
     * @param where  where in the request or response ({@code messages.2.content.0.text}, {@code output.content.1}), or null
     * @param offset character offset within that text, or -1
     */
    public record Finding(Outcome outcome, String check, String where, int offset) {
    }

    private final List<Finding> findings = new ArrayList<>(2);
    private Double injectionScore;

    public synchronized void add(Outcome outcome, String check, String where, int offset) {
        if (findings.size() < 100) {
            findings.add(new Finding(outcome, check, where, offset));
        }
    }

    public synchronized void injectionScore(double score) {
        this.injectionScore = Math.round(score * 1000) / 1000.0;
    }

    public synchronized boolean isEmpty() {
        return findings.isEmpty();
    }

    public synchronized List<Finding> findings() {
        return List.copyOf(findings);
    }

    /** The header value ({@code blocked=a; redacted=b,c; flagged=d}), or null when nothing was decided. */
    public synchronized String headerValue() {
        return header(findings);
    }

    /** The audit form: {@code {decision, findings:[{outcome, check, where, offset}], injection_score}}, or null when empty. */
    public synchronized Map<String, Object> auditValue() {
        return snapshot().auditValue();
    }

    /** The decisions so far, frozen (the shared {@link Snapshot#EMPTY} when there are none). */
    public synchronized Snapshot snapshot() {
        return findings.isEmpty() && injectionScore == null ? Snapshot.EMPTY : new Snapshot(List.copyOf(findings), injectionScore);
    }

    /**
     * The guard decisions of a finished call, as the {@link ExchangeRecord} holds them: immutable.
     *
     * @param injectionScore the highest prompt-injection score of the call's user text, or null when not scored
     */
    public record Snapshot(List<Finding> findings, Double injectionScore) {

        public static final Snapshot EMPTY = new Snapshot(List.of(), null);

        public Snapshot {
            findings = List.copyOf(findings);
        }

        public boolean isEmpty() {
            return findings.isEmpty();
        }

        /** The {@code keywarden-guard} header value, or null when nothing was decided. */
        public String headerValue() {
            return header(findings);
        }

        /** The audit form: {@code {decision, findings:[{outcome, check, where, offset}], injection_score}}, or null when empty. */
        public Map<String, Object> auditValue() {
            if (findings.isEmpty() && injectionScore == null) {
                return null;
            }
            Map<String, Object> out = new TreeMap<>();
            String header = headerValue();
            if (header != null) {
                out.put("decision", header);
            }
            List<Map<String, Object>> list = new ArrayList<>();
            for (Finding f : findings) {
                Map<String, Object> m = new TreeMap<>();
                m.put("outcome", f.outcome().name().toLowerCase(java.util.Locale.ROOT));
                m.put("check", f.check());
                if (f.where() != null) {
                    m.put("where", f.where());
                }
                if (f.offset() >= 0) {
                    m.put("offset", f.offset());
                }
                list.add(m);
            }
            if (!list.isEmpty()) {
                out.put("findings", list);
            }
            if (injectionScore != null) {
                out.put("injection_score", injectionScore);
            }
            return out;
        }
    }

    private static String header(List<Finding> findings) {
        if (findings.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (Outcome o : Outcome.values()) {
            Set<String> checks = new LinkedHashSet<>();
            for (Finding f : findings) {
                if (f.outcome() == o) {
                    checks.add(f.check());
                }
            }
            if (!checks.isEmpty()) {
                sb.append(sb.isEmpty() ? "" : "; ").append(o.name().toLowerCase(java.util.Locale.ROOT)).append('=')
                        .append(String.join(",", checks));
            }
        }
        return sb.toString();
    }
}
