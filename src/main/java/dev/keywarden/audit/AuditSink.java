package dev.keywarden.audit;

import java.util.List;

/** A copy of committed audit records for a SIEM (JSON lines to a file or stdout). Called by the writer thread only. */
public interface AuditSink extends AutoCloseable {

    void accept(List<StoredAuditRecord> records);

    /** A checkpoint committed after the records already handed to {@link #accept}: the anchor, kept off the database too. */
    default void checkpoint(AuditCheckpoint checkpoint) {
    }

    @Override
    default void close() {
    }
}
