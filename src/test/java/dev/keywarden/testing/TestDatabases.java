package dev.keywarden.testing;

import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * One store backend for a test class: a temporary directory for SQLite, or a fresh PostgreSQL
 * schema {@code kw_test_<random>} (through {@code currentSchema=} in the URL) that {@link #close()}
 * drops. {@link #fresh()} hands each test an empty database; {@link #reopen()} opens the same one
 * again. Starting a PostgreSQL backend skips the test when PostgreSQL is not reachable (see
 * {@link Services}).
 */
public final class TestDatabases implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int POOL_SIZE = 4;

    private final Dialect dialect;
    private final Path dir;
    private final String schema;
    private final List<Database> opened = new ArrayList<>();
    private Path current;

    private TestDatabases(Dialect dialect, Path dir, String schema) {
        this.dialect = dialect;
        this.dir = dir;
        this.schema = schema;
    }

    /** A backend of {@code dialect}; for PostgreSQL a new schema (skips the test when PostgreSQL is absent). */
    public static TestDatabases start(Dialect dialect) {
        try {
            Path dir = Files.createTempDirectory("kw-store-");
            if (dialect == Dialect.SQLITE) {
                return new TestDatabases(dialect, dir, null);
            }
            Services.assumePostgres();
            String schema = "kw_test_" + HexFormat.of().formatHex(randomBytes(6));
            admin("CREATE SCHEMA " + schema);
            return new TestDatabases(dialect, dir, schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The PostgreSQL URL of this backend's schema (null for SQLite). */
    public String postgresUrl() {
        return schema == null ? null : withSchema(Services.postgresUrl(), schema);
    }

    /** The schema name (null for SQLite). */
    public String schema() {
        return schema;
    }

    /** An empty, migrated database: a new SQLite file, or this schema with every table emptied. */
    public Database fresh() {
        if (dialect == Dialect.SQLITE) {
            current = dir.resolve("db-" + opened.size());
            return reopen();
        }
        Database db = reopen();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, schema, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    if (!rs.getString("TABLE_NAME").startsWith("flyway_")) {
                        tables.add(schema + "." + rs.getString("TABLE_NAME"));
                    }
                }
            }
            if (!tables.isEmpty()) {
                s.execute("TRUNCATE " + String.join(", ", tables));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty test schema " + schema + ": " + e.getMessage(), e);
        }
        return db;
    }

    /** Opens the database of the last {@link #fresh()} again (a second pool, as a second process would). */
    public Database reopen() {
        Database db = dialect == Dialect.SQLITE
                ? Database.openSqlite(current)
                : Database.openPostgres(postgresUrl(), Services.postgresUser(), null, POOL_SIZE);
        opened.add(db);
        return db;
    }

    @Override
    public void close() {
        opened.forEach(Database::close);
        opened.clear();
        if (schema != null) {
            admin("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    @Override
    public String toString() {
        return dialect == Dialect.SQLITE ? "SQLite" : "PostgreSQL";
    }

    /** Runs one statement on the test database as the test user (outside any schema). */
    public static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(Services.postgresUrl(), Services.postgresUser(), null);
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test PostgreSQL at " + Services.postgresUrl() + ": cannot run " + sql + ": "
                    + e.getMessage(), e);
        }
    }

    static String withSchema(String url, String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
