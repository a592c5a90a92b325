package dev.keywarden.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keywarden.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.Secret;
import dev.keywarden.config.SharedConfig;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Keywarden's database, used through a connection pool, with the schema migrated to the current
 * version before any use: by default one embedded SQLite file {@code keywarden.db} in the data
 * directory ({@link #openSqlite}); for several gateway instances a shared PostgreSQL database
 * ({@link #openPostgres}). Both run the same migrations; {@link #dialect()} names the few places
 * where they differ.
 *
 * <p>Guarantees (SQLite): the data directory is created with mode 0700 when new; the database file is
 * created with mode 0600 before SQLite ever opens it, and its {@code -wal}/{@code -shm} companions
 * are restricted to 0600 once they exist; the file runs in WAL mode with a busy timeout, so readers
 * never block the writer and concurrent writers (also from other processes) wait instead of failing.
 * Any failure surfaces as a {@link StoreException} naming the file.
 *
 * <p>Guarantees (PostgreSQL): at most {@code poolSize} connections; the password is passed to the
 * driver only and never appears in {@link #location()}, {@link #toString()} or an error message;
 * concurrent start-ups of several instances migrate the schema once (Flyway's advisory lock).
 */
public final class Database implements AutoCloseable {

    /** Name of the SQLite file inside the data directory. */
    public static final String FILE_NAME = "keywarden.db";

    static final int BUSY_TIMEOUT_MILLIS = 5_000;
    static final int HEALTH_CHECK_TIMEOUT_SECONDS = 2;
    private static final int POOL_SIZE = 4;

    static final int POSTGRES_CONNECT_TIMEOUT_SECONDS = 5;

    private final HikariDataSource pool;
    private final String location;
    private final Dialect dialect;
    private final Jdbc jdbc = new Jdbc(this);

    private Database(HikariDataSource pool, String location, Dialect dialect) {
        this.pool = pool;
        this.location = location;
        this.dialect = dialect;
    }

    /**
     * Opens the store {@code config} chooses: {@code store: sqlite} opens {@code keywarden.db} in
     * the data directory, {@code store: postgres} the database at {@code postgres.url}.
     *
     * @throws StoreException when the chosen database cannot be opened or migrated
     */
    public static Database open(KeywardenConfig config) {
        SharedConfig shared = config.shared();
        if (!shared.postgres()) {
            return openSqlite(config.dataDir());
        }
        String url = shared.postgresUrl().orElseThrow(() -> new IllegalStateException("store postgres without postgres.url"));
        return openPostgres(url, shared.postgresUser().orElse(null),
                shared.postgresPassword().map(Secret::reveal).orElse(null), shared.postgresPoolSize());
    }

    /**
     * Opens the PostgreSQL database at {@code jdbcUrl} through a pool of at most {@code poolSize}
     * connections and migrates it to the current schema (in the URL's {@code currentSchema}, which
     * must exist; {@code public} by default).
     *
     * @param jdbcUrl  {@code jdbc:postgresql://host:port/database[?options]}, without a password
     * @param user     the database user, or null for the URL's {@code user=} or the driver's default
     * @param password the password, or null for trust/peer authentication
     * @throws StoreException naming the URL (never the password) when the server cannot be reached,
     *                        refuses the login, or the schema cannot be migrated
     */
    public static Database openPostgres(String jdbcUrl, String user, String password, int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
        String location = "PostgreSQL " + jdbcUrl;
        HikariConfig config = new HikariConfig();
        config.setPoolName("keywarden-postgres");
        config.setDriverClassName("org.postgresql.Driver");
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setConnectionTimeout(POSTGRES_CONNECT_TIMEOUT_SECONDS * 1000L);
        config.addDataSourceProperty("connectTimeout", String.valueOf(POSTGRES_CONNECT_TIMEOUT_SECONDS));
        config.addDataSourceProperty("ApplicationName", "keywarden");
        // server error details quote row values (e.g. a duplicate key hash): keep them out of exception messages
        config.addDataSourceProperty("logServerErrorDetail", "false");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the Keywarden database " + location + ": " + postgresReason(e)
                    + "; start PostgreSQL, check postgres.url, postgres.user and KEYWARDEN_POSTGRES_PASSWORD, or set store: sqlite", e);
        }
        try {
            migrate(pool, Dialect.POSTGRESQL, location);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, location, Dialect.POSTGRESQL);
    }

    /** The driver's own message (first line): it names host, port, user or database, never the password. */
    private static String postgresReason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof SQLException)) {
            t = t.getCause();
        }
        return oneLine(StoreException.reason(t));
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
            migrate(pool, Dialect.SQLITE, file.toString());
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
        return new Database(pool, file.toString(), Dialect.SQLITE);
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

    private static void migrate(DataSource dataSource, Dialect dialect, String location) {
        try {
            Flyway.configure(Database.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations("classpath:db/migration", dialect.migrations())
                    .placeholders(Map.of("blob", dialect.blobType()))
                    .failOnMissingLocations(true)
                    // V3 (provider keys) landed after V4 (admin tokens); stores made in between still migrate
                    .outOfOrder(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new StoreException("cannot migrate the Keywarden database " + location + " to the current schema: "
                    + oneLine(StoreException.reason(rootCause(e))), e);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** Flyway and driver messages can span lines; errors are one line. */
    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** The pooled connections to this database. */
    public DataSource dataSource() {
        return pool;
    }

    /** Statements on this database, each failing with a {@link StoreException} that names it (see {@link Jdbc}). */
    public Jdbc jdbc() {
        return jdbc;
    }

    /** Where the data lives, for error messages: the SQLite file path, or "PostgreSQL " and the JDBC URL. */
    public String location() {
        return location;
    }

    /** Which SQL engine this is, for the few statements that differ between them. */
    public Dialect dialect() {
        return dialect;
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
        return new StoreException("Keywarden database " + location + ": cannot " + operation + ": "
                + oneLine(StoreException.reason(cause)), cause);
    }

    @Override
    public String toString() {
        return "Database[" + location + "]";
    }
}
