package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir
    Path tmp;

    @Test
    void newDataDirectoryIsOwnerOnlyAndDatabaseFileIsOwnerReadWriteOnly() throws Exception {
        Path dataDir = tmp.resolve("fresh/data");
        try (Database db = Database.openSqlite(dataDir)) {
            assertThat(db.location()).isEqualTo(dataDir.resolve(Database.FILE_NAME).toString());
            assertThat(mode(dataDir)).isEqualTo("rwx------");
            assertThat(mode(dataDir.resolve(Database.FILE_NAME))).isEqualTo("rw-------");
        }
    }

    @Test
    void walAndSharedMemoryFilesAreOwnerReadWriteOnly() throws Exception {
        Path dataDir = tmp.resolve("data");
        try (Database db = Database.openSqlite(dataDir)) {
            assertThat(db.isHealthy()).isTrue();
            Path wal = dataDir.resolve(Database.FILE_NAME + "-wal");
            Path shm = dataDir.resolve(Database.FILE_NAME + "-shm");
            assertThat(wal).exists();
            assertThat(shm).exists();
            assertThat(mode(wal)).isEqualTo("rw-------");
            assertThat(mode(shm)).isEqualTo("rw-------");
        }
    }

    @Test
    void databaseRunsInWalModeWithBusyTimeout() throws Exception {
        try (Database db = Database.openSqlite(tmp.resolve("data"));
             Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
            }
            try (ResultSet rs = s.executeQuery("PRAGMA busy_timeout")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(Database.BUSY_TIMEOUT_MILLIS);
            }
        }
    }

    @Test
    void migrationsCreateTheTablesAndReopeningAppliesNothingTwice() throws Exception {
        Path dataDir = tmp.resolve("data");
        Database.openSqlite(dataDir).close();
        try (Database db = Database.openSqlite(dataDir);
             Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('virtual_keys', 'keywarden_settings')")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT version) FROM flyway_schema_history WHERE version IS NOT NULL")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(rs.getInt(2)).isGreaterThanOrEqualTo(2);
            }
        }
    }

    @Test
    void isHealthyWhileOpenAndNotAfterClose() {
        Database db = Database.openSqlite(tmp.resolve("data"));
        assertThat(db.isHealthy()).isTrue();
        db.close();
        assertThat(db.isHealthy()).isFalse();
    }

    @Test
    void dataDirectoryThatIsAFileFailsWithMessageNamingIt() throws Exception {
        Path notADir = Files.writeString(tmp.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> Database.openSqlite(notADir))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(notADir.toString())
                .hasMessageContaining("not a directory");
    }

    @Test
    void databaseFileThatIsNotSqliteFailsWithMessageNamingTheFile() throws Exception {
        Path dataDir = Files.createDirectory(tmp.resolve("data"));
        Path file = Files.writeString(dataDir.resolve(Database.FILE_NAME), "this is not a database, just some text ".repeat(200));
        assertThatThrownBy(() -> Database.openSqlite(dataDir))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void existingDataDirectoryKeepsItsPermissions() throws Exception {
        Path dataDir = Files.createDirectory(tmp.resolve("shared"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-x---"));
        try (Database db = Database.openSqlite(dataDir)) {
            assertThat(db.isHealthy()).isTrue();
            assertThat(mode(dataDir)).isEqualTo("rwxr-x---");
            assertThat(mode(dataDir.resolve(Database.FILE_NAME))).isEqualTo("rw-------");
        }
    }

    static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
