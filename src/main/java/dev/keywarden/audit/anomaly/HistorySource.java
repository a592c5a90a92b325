package dev.keywarden.audit.anomaly;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.audit.AuditEntry;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.StoredAuditRecord;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Past audit records for the detectors to learn from at start-up, oldest first. Replaying never
 * raises alerts; it only restores baselines, known addresses, hour histograms and learning periods.
 */
@FunctionalInterface
public interface HistorySource {

    /** No history: detectors start learning from scratch. */
    HistorySource NONE = into -> {
    };

    /** Passes each past record to {@code into}, oldest first. */
    void replay(Consumer<AuditEntry> into);

    /** The stored records at or after {@code since}; records that cannot be read back are skipped. */
    public static HistorySource fromStore(AuditStore store, Instant since) {
        ObjectMapper json = new ObjectMapper();
        TypeReference<Map<String, Object>> type = new TypeReference<>() {
        };
        return into -> store.forEachSince(since.toString(), (StoredAuditRecord r) -> {
            try {
                into.accept(new AuditEntry(r.kind(), Instant.parse(r.at()), json.readValue(r.body(), type)));
            } catch (IOException | RuntimeException e) {
                // an unreadable record teaches nothing; `keywarden audit verify` reports damage
            }
        });
    }
}
