package dev.keywarden.audit;

import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import dev.keywarden.store.SettingsStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The audit tables. Appends happen in one transaction per batch (all records of a batch become
 * durable together, or none); reads stream in chain order so verification needs no memory per record.
 */
public final class AuditStore {

    private static final String ANCHOR_SETTING = "audit.anchor.";

    private final Database database;

    public AuditStore(Database database) {
        this.database = database;
    }

    /** The last record of {@code chainId}, if the chain has any. */
    public Optional<StoredAuditRecord> last(String chainId) {
        String sql = "SELECT chain_id, seq, at, kind, prev_hash, body FROM audit_records WHERE chain_id = ? ORDER BY seq DESC LIMIT 1";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, chainId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("read the audit chain head", e);
        }
    }

    /** Appends records (and an optional checkpoint) atomically. */
    public void append(List<StoredAuditRecord> records, AuditCheckpoint checkpoint) {
        String sql = "INSERT INTO audit_records (chain_id, seq, at, kind, prev_hash, body) VALUES (?, ?, ?, ?, ?, ?)";
        try (Connection c = database.dataSource().getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (StoredAuditRecord r : records) {
                        ps.setString(1, r.chainId());
                        ps.setLong(2, r.seq());
                        ps.setString(3, r.at());
                        ps.setString(4, r.kind());
                        ps.setString(5, r.prevHash());
                        ps.setString(6, r.body());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                if (checkpoint != null) {
                    insertCheckpoint(c, checkpoint);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("append " + records.size() + " audit record(s)", e);
        }
    }

    public void addCheckpoint(AuditCheckpoint checkpoint) {
        try (Connection c = database.dataSource().getConnection()) {
            insertCheckpoint(c, checkpoint);
        } catch (SQLException | RuntimeException e) {
            throw database.failure("write an audit checkpoint", e);
        }
    }

    private static void insertCheckpoint(Connection c, AuditCheckpoint cp) throws SQLException {
        String sql = "INSERT INTO audit_checkpoints (chain_id, seq, record_hash, at, mac) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (chain_id, seq) DO NOTHING";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, cp.chainId());
            ps.setLong(2, cp.seq());
            ps.setString(3, cp.recordHash());
            ps.setString(4, cp.at());
            ps.setString(5, cp.mac());
            ps.executeUpdate();
        }
    }

    /** Every chain id present. */
    public List<String> chains() {
        String sql = "SELECT DISTINCT chain_id FROM audit_records ORDER BY chain_id";
        List<String> out = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("list audit chains", e);
        }
    }

    /** Streams a chain's records in storage order of {@code seq}. */
    public void forEach(String chainId, Consumer<StoredAuditRecord> consumer) {
        forEachAfter(chainId, 0, consumer);
    }

    /** Streams a chain's records numbered above {@code afterSeq}, in order of {@code seq}. */
    public void forEachAfter(String chainId, long afterSeq, Consumer<StoredAuditRecord> consumer) {
        String sql = "SELECT chain_id, seq, at, kind, prev_hash, body FROM audit_records WHERE chain_id = ? AND seq > ? ORDER BY seq";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, chainId);
            ps.setLong(2, afterSeq);
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    consumer.accept(row(rs));
                }
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("read the audit chain " + chainId, e);
        }
    }

    /** Record {@code seq} of {@code chainId}, if it exists. */
    public Optional<StoredAuditRecord> record(String chainId, long seq) {
        String sql = "SELECT chain_id, seq, at, kind, prev_hash, body FROM audit_records WHERE chain_id = ? AND seq = ?";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, chainId);
            ps.setLong(2, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("read audit record " + seq + " of " + chainId, e);
        }
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
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (SQLException | RuntimeException e) {
            throw database.failure("sync the audit records to disk", e);
        }
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
        String sql = "SELECT chain_id, seq, at, kind, prev_hash, body FROM audit_records WHERE at >= ? ORDER BY at";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, sinceIso);
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    consumer.accept(row(rs));
                }
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure("read audit records", e);
        }
    }

    public List<AuditCheckpoint> checkpoints(String chainId) {
        String sql = "SELECT chain_id, seq, record_hash, at, mac FROM audit_checkpoints WHERE chain_id = ? ORDER BY seq";
        List<AuditCheckpoint> out = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, chainId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditCheckpoint(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
            return out;
        } catch (SQLException | RuntimeException e) {
            throw database.failure("read audit checkpoints", e);
        }
    }

    public long count() {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM audit_records"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException | RuntimeException e) {
            throw database.failure("count audit records", e);
        }
    }

    private static StoredAuditRecord row(ResultSet rs) throws SQLException {
        return new StoredAuditRecord(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6));
    }
}
