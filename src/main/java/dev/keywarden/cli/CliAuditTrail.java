package dev.keywarden.cli;

import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditTrail;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.Secret;
import dev.keywarden.config.SharedConfig;
import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The audit trail of CLI commands: one chain, {@value #CHAIN}, per store, which every CLI process appends to in turn.
 *
 * <p>Guarantee: two CLI processes never append to the chain at the same time (an exclusive lock held from before
 * the chain's tail is read until the last record is written: a lock file beside a SQLite store, a PostgreSQL
 * advisory lock on a shared store), so the chain stays one unbroken sequence however many commands run; a running
 * gateway's chain is never touched.
 */
final class CliAuditTrail implements AutoCloseable {

    static final String CHAIN = "cli";
    private static final String LOCK_FILE = "audit-cli.lock";

    private final AutoCloseable lock;
    private final AuditTrail trail;

    private CliAuditTrail(AutoCloseable lock, AuditTrail trail) {
        this.lock = lock;
        this.trail = trail;
    }

    /** Waits for the chain's lock, then opens the chain where the last CLI command left it. */
    static CliAuditTrail open(KeywardenConfig config, Database db, ServerSecret secret) {
        AutoCloseable lock = db.dialect() == Dialect.POSTGRESQL ? advisoryLock(config, db) : fileLock(config.dataDir());
        try {
            AuditTrail trail = AuditTrail.start(new AuditStore(db), secret, CHAIN, AuditTrail.Options.defaults(), List.of());
            return new CliAuditTrail(lock, trail);
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
    }

    AuditTrail trail() {
        return trail;
    }

    @Override
    public void close() {
        try {
            trail.close();
        } finally {
            closeQuietly(lock);
        }
    }

    private static AutoCloseable fileLock(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            FileChannel channel = FileChannel.open(dataDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock held = channel.lock();
            return () -> {
                try (channel) {
                    held.release();
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the CLI audit chain (" + dataDir.resolve(LOCK_FILE)
                    + "); check that the data directory is writable", e);
        }
    }

    /** On a connection of its own (not from the pool, which may hold a single connection the command needs too). */
    private static AutoCloseable advisoryLock(KeywardenConfig config, Database db) {
        long key = ("keywarden-audit-chain:" + CHAIN).hashCode();
        SharedConfig shared = config.shared();
        try {
            Connection connection = DriverManager.getConnection(shared.postgresUrl().orElseThrow(),
                    shared.postgresUser().orElse(null), shared.postgresPassword().map(Secret::reveal).orElse(null));
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, key);
                lock.execute();
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
            return () -> {
                try (connection; PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    unlock.setLong(1, key);
                    unlock.execute();
                }
            };
        } catch (SQLException e) {
            throw db.failure("lock the CLI audit chain", e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // releasing a lock of a finished command: the process is about to exit and the OS releases it anyway
        }
    }
}
