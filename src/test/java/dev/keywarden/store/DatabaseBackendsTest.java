package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** What every store backend guarantees, proven on SQLite and on PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Dialect.class)
class DatabaseBackendsTest {

    static TestDatabases backend;

    @Parameter
    Dialect dialect;
    Database db;

    @BeforeParameterizedClassInvocation
    static void startBackend(Dialect dialect) {
        backend = TestDatabases.start(dialect);
    }

    @AfterParameterizedClassInvocation
    static void stopBackend() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    @BeforeEach
    void open() {
        db = backend.fresh();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void dialectNamesTheEngine() {
        assertThat(db.dialect()).isEqualTo(dialect);
    }

    @Test
    void migrationsCreateEveryTableAndReopeningAppliesNothingTwice() throws Exception {
        db.close();
        db = backend.reopen();
        try (Connection c = db.dataSource().getConnection()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, backend.schema(), "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
                }
            }
            assertThat(tables).contains("virtual_keys", "keywarden_settings", "provider_keys", "admin_tokens",
                    "flyway_schema_history");
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT version) FROM flyway_schema_history "
                         + "WHERE version IS NOT NULL AND success = " + (dialect == Dialect.SQLITE ? "1" : "true"))) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(rs.getInt(2)).isGreaterThanOrEqualTo(4);
            }
        }
    }

    @Test
    void byteColumnsKeepEveryByteValue() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        try (Connection c = db.dataSource().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO provider_keys (id, label, environment, scope_routes, "
                    + "display_fingerprint, sha256_fingerprint, state, priority, created_at, state_changed_at, kek_id, kek_version, "
                    + "wrapped_key, ciphertext, source) VALUES ('pk_bytes', 'l', 'dev', '*', 'd', 's', 'active', 0, 1, 1, 'k', 1, ?, ?, 'x')")) {
                ps.setBytes(1, all);
                ps.setBytes(2, new byte[0]);
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT wrapped_key, ciphertext FROM provider_keys WHERE id = 'pk_bytes'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBytes(1)).isEqualTo(all);
                assertThat(rs.getBytes(2)).isEmpty();
            }
        }
    }

    @Test
    void isHealthyWhileOpenAndNotAfterClose() {
        assertThat(db.isHealthy()).isTrue();
        db.close();
        assertThat(db.isHealthy()).isFalse();
    }

    @Test
    void locationNamesTheDatabase() {
        assertThat(db.location()).isNotBlank();
        assertThat(db.toString()).contains(db.location());
        if (dialect == Dialect.POSTGRESQL) {
            assertThat(db.location()).startsWith("PostgreSQL jdbc:postgresql://").contains(backend.schema());
        }
    }
}
