package dev.keywarden.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Keywarden's embedded database: one SQLite file {@code keywarden.db} in the data directory, used
 * through a small connection pool, with the schema migrated to the current version before any use.
 *
 * <p>Guarantees: the data directory is created with mode 0700 when new; the database file is
 * created with mode 0600 before SQLite ever opens it, and its {@code -wal}/{@code -shm} companions
 * are restricted to 0600 once they exist; the file runs in WAL mode with a busy timeout, so readers
 * never block the writer and concurrent writers (also from other processes) wait instead of failing.
 * Any failure surfaces as a {@link StoreException} naming the file.
 */
public final class Database implements AutoCloseable {

    /** Name of the SQLite file inside the data directory. */
    public static final String FILE_NAME = "keywarden.db";

    static final int BUSY_TIMEOUT_MILLIS = 5_000;
    static final int HEALTH_CHECK_TIMEOUT_SECONDS = 2;
    private static final int POOL_SIZE = 4;

    private final HikariDataSource pool;
    private final Path file;

    private Database(HikariDataSource pool, Path file) {
        this.pool = pool;
        this.file = file;
    }

    /**
     * Opens (creating when needed) {@code dataDir/keywarden.db} and migrates it to the current schema.
     *
     * @throws StoreException when the directory or file cannot be created, opened or migrated
     */
    public static Database openSqlite(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path file = dir.resolve(FILE_NAME);
        try {
            PrivateFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the data directory " + dir + ": " + StoreException.reason(e), e);
        }
        try {
            PrivateFiles.createFileIfAbsent(file);
        } catch (IOException e) {
            throw new StoreException("cannot create the Keywarden database " + file + ": " + StoreException.reason(e), e);
        }
        HikariDataSource pool = openPool(file);
        try {
            migrate(pool, file);
            PrivateFiles.restrictToOwner(Path.of(file + "-wal"));
            PrivateFiles.restrictToOwner(Path.of(file + "-shm"));
        } catch (IOException e) {
            pool.close();
            throw new StoreException("cannot restrict the permissions of the Keywarden database files " + file
                    + "-wal/-shm: " + StoreException.reason(e), e);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, file);
    }

    private static HikariDataSource openPool(Path file) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        sqlite.enforceForeignKeys(true);
        SQLiteDataSource driver = new SQLiteDataSource(sqlite);
        driver.setUrl("jdbc:sqlite:" + file);

        HikariConfig config = new HikariConfig();
        config.setPoolName("keywarden-sqlite");
        config.setDataSource(driver);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(BUSY_TIMEOUT_MILLIS);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the Keywarden database " + file + ": " + StoreException.reason(rootCause(e)), e);
        }
    }

    private static void migrate(DataSource dataSource, Path file) {
        try {
            Flyway.configure(Database.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .failOnMissingLocations(true)
                    // V3 (provider keys) landed after V4 (admin tokens); stores made in between still migrate
                    .outOfOrder(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new StoreException("cannot migrate the Keywarden database " + file + " to the current schema: "
                    + StoreException.reason(rootCause(e)), e);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** The pooled connections to this database. */
    public DataSource dataSource() {
        return pool;
    }

    /** Where the data lives, for error messages (the SQLite file path). */
    public String location() {
        return file.toString();
    }

    /**
     * Runs {@code select 1} with a short timeout.
     *
     * @return true when the database answered; false when it is closed, locked past the timeout or broken
     */
    public boolean isHealthy() {
        if (pool.isClosed()) {
            return false;
        }
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(HEALTH_CHECK_TIMEOUT_SECONDS);
            try (ResultSet rs = statement.executeQuery("select 1")) {
                return rs.next() && rs.getInt(1) == 1;
            }
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** Closes every pooled connection; later use fails with a {@link StoreException}. Idempotent. */
    @Override
    public void close() {
        pool.close();
    }

    /** Wraps a failed SQL operation in a {@link StoreException} naming this database and the operation. */
    public StoreException failure(String operation, Exception cause) {
        return new StoreException("Keywarden database " + file + ": cannot " + operation + ": "
                + StoreException.reason(cause), cause);
    }

    @Override
    public String toString() {
        return "Database[" + file + "]";
    }
}
