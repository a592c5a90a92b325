package dev.keywarden.store;

/**
 * The SQL dialect of a {@link Database}. Migrations and stores are written in SQL both engines
 * accept; the few differences are named here, once, so callers branch on a dialect instead of
 * inspecting URLs or driver names.
 */
public enum Dialect {

    /** The embedded SQLite file (single host). */
    SQLITE("BLOB", "classpath:db/sqlite"),
    /** A PostgreSQL server (shared by any number of gateway instances). */
    POSTGRESQL("BYTEA", "classpath:db/postgresql");

    private final String blobType;
    private final String migrations;

    Dialect(String blobType, String migrations) {
        this.blobType = blobType;
        this.migrations = migrations;
    }

    /** Where this engine's own migrations live (beside the shared {@code classpath:db/migration}). */
    String migrations() {
        return migrations;
    }

    /** The column type for opaque bytes: the {@code ${blob}} placeholder of the migrations. */
    public String blobType() {
        return blobType;
    }
}
