package dev.keywarden.audit;

import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import dev.keywarden.store.Jdbc;
import dev.keywarden.store.SettingsStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The audit tables. Appends happen in one transaction per batch (all records of a batch become
 * durable together, or none); reads stream in chain order so verification needs no memory per record.
 */
public final class AuditStore {

    private static final String ANCHOR_SETTING = "audit.anchor.";
    private static final String RECORD_COLUMNS = "chain_id, seq, at, kind, prev_hash, body";
    private static final String INSERT_CHECKPOINT = "INSERT INTO audit_checkpoints (chain_id, seq, record_hash, at, mac)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chain_id, seq) DO NOTHING";

    private final Database database;
    private final Jdbc jdbc;

    public AuditStore(Database database) {
        this.database = database;
        this.jdbc = database.jdbc();
    }

    /** The last record of {@code chainId}, if the chain has any. */
    public Optional<StoredAuditRecord> last(String chainId) {
        return jdbc.queryOne("read the audit chain head", "SELECT " + RECORD_COLUMNS
                + " FROM audit_records WHERE chain_id = ? ORDER BY seq DESC LIMIT 1", AuditStore::row, chainId);
    }

    /** Appends records (and an optional checkpoint) atomically. */
    public void append(List<StoredAuditRecord> records, AuditCheckpoint checkpoint) {
        jdbc.inTransaction("append " + records.size() + " audit record(s)", tx -> {
            tx.batch("INSERT INTO audit_records (" + RECORD_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)", records,
                    r -> new Object[] {r.chainId(), r.seq(), r.at(), r.kind(), r.prevHash(), r.body()});
            if (checkpoint != null) {
                tx.update(INSERT_CHECKPOINT, checkpointParameters(checkpoint));
            }
            return null;
        });
    }

    public void addCheckpoint(AuditCheckpoint checkpoint) {
        jdbc.update("write an audit checkpoint", INSERT_CHECKPOINT, checkpointParameters(checkpoint));
    }

    private static Object[] checkpointParameters(AuditCheckpoint cp) {
        return new Object[] {cp.chainId(), cp.seq(), cp.recordHash(), cp.at(), cp.mac()};
    }

    /** Every chain id present. */
    public List<String> chains() {
        return jdbc.query("list audit chains", "SELECT DISTINCT chain_id FROM audit_records ORDER BY chain_id",
                rs -> rs.getString(1));
    }

    /** Streams a chain's records in storage order of {@code seq}. */
    public void forEach(String chainId, Consumer<StoredAuditRecord> consumer) {
        forEachAfter(chainId, 0, consumer);
    }

    /** Streams a chain's records numbered above {@code afterSeq}, in order of {@code seq}. */
    public void forEachAfter(String chainId, long afterSeq, Consumer<StoredAuditRecord> consumer) {
        jdbc.stream("read the audit chain " + chainId, "SELECT " + RECORD_COLUMNS
                + " FROM audit_records WHERE chain_id = ? AND seq > ? ORDER BY seq", AuditStore::row, consumer, chainId, afterSeq);
    }

    /** Record {@code seq} of {@code chainId}, if it exists. */
    public Optional<StoredAuditRecord> record(String chainId, long seq) {
        return jdbc.queryOne("read audit record " + seq + " of " + chainId, "SELECT " + RECORD_COLUMNS
                + " FROM audit_records WHERE chain_id = ? AND seq = ?", AuditStore::row, chainId, seq);
    }

    /**
     * Makes every committed write durable against power loss, not only against a crash of the process:
     * SQLite in WAL mode with {@code synchronous=NORMAL} syncs its log only when it checkpoints, so this runs a
     * passive WAL checkpoint (which syncs the log first). PostgreSQL commits are durable already.
     */
    public void forceToDisk() {
        if (database.dialect() != Dialect.SQLITE) {
            return;
        }
        jdbc.queryOne("sync the audit records to disk", "PRAGMA wal_checkpoint(PASSIVE)", rs -> rs.getInt(1));
    }

    /** Where {@code chainId} was first anchored outside the database ({@link #markAnchored}), if it ever was. */
    public Optional<String> anchoredAt(String chainId) {
        return new SettingsStore(database).get(ANCHOR_SETTING + chainId);
    }

    /** Notes, once per chain, that {@code chainId} is anchored at {@code where} (so a lost anchor file is noticed). */
    public void markAnchored(String chainId, String where) {
        new SettingsStore(database).putIfAbsent(ANCHOR_SETTING + chainId, where);
    }

    /** Streams every record at or after {@code sinceIso} (ISO-8601 instants sort as text). */
    public void forEachSince(String sinceIso, Consumer<StoredAuditRecord> consumer) {
        jdbc.stream("read audit records", "SELECT " + RECORD_COLUMNS + " FROM audit_records WHERE at >= ? ORDER BY at",
                AuditStore::row, consumer, sinceIso);
    }

    public List<AuditCheckpoint> checkpoints(String chainId) {
        return jdbc.query("read audit checkpoints",
                "SELECT chain_id, seq, record_hash, at, mac FROM audit_checkpoints WHERE chain_id = ? ORDER BY seq",
                rs -> new AuditCheckpoint(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)),
                chainId);
    }

    public long count() {
        return jdbc.queryOne("count audit records", "SELECT COUNT(*) FROM audit_records", rs -> rs.getLong(1))
                .orElse(0L);
    }

    private static StoredAuditRecord row(ResultSet rs) throws SQLException {
        return new StoredAuditRecord(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6));
    }
}
