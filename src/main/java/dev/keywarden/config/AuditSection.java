package dev.keywarden.config;

import java.util.List;
import java.util.Optional;

/** {@code audit.*}: how the audit trail is written. */
final class AuditSection {

    static final Setting MODE = Setting.of("audit.mode", "KEYWARDEN_AUDIT_MODE", "buffered",
            "buffered (records queued and written in batches) or strict (a call waits for its record; calls are refused"
                    + " while the trail cannot be written)");
    static final Setting QUEUE_SIZE = Setting.of("audit.queue_size", "KEYWARDEN_AUDIT_QUEUE_SIZE", "10000",
            "records held in memory before callers are slowed down (never dropped)");
    static final Setting MIRROR = Setting.of("audit.mirror", "KEYWARDEN_AUDIT_MIRROR", "off",
            "off, stdout or a file: every committed record also as a JSON line, for a SIEM");
    static final List<Setting> SETTINGS = List.of(MODE, QUEUE_SIZE, MIRROR);

    private AuditSection() {
    }

    static AuditConfig parse(Values values, List<String> notices) {
        boolean strict = values.read(MODE, raw -> Values.oneOf(raw, List.of("buffered", "strict"), "must be buffered (default:"
                + " records are queued and written in batches) or strict (a call waits for its record; calls are refused while"
                + " the audit store fails)")).equals("strict");
        int queue = values.read(QUEUE_SIZE, Values::positiveInt);
        String mirror = values.get(MIRROR).strip();
        Optional<String> mirrorTarget = mirror.equalsIgnoreCase("off") ? Optional.empty() : Optional.of(mirror);
        notices.add("INFO audit trail: " + (strict ? "strict (fail closed: calls wait for their record and are refused"
                + " while it cannot be written)" : "buffered (records are written in batches; a crash can lose at most the"
                + " records still queued)") + mirrorTarget.map(m -> "; mirrored as JSON lines to " + m).orElse(""));
        return new AuditConfig(strict, queue, mirrorTarget);
    }
}
