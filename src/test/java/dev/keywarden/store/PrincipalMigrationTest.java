package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** V6: virtual keys made before principals existed move to an app principal named like the key. */
class PrincipalMigrationTest {

    @TempDir
    Path dir;

    @Test
    void keysMadeBeforePrincipalsBelongToOneFreeAppPrincipalPerKeyName() throws Exception {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve(Database.FILE_NAME));
        Flyway.configure(Database.class.getClassLoader()).dataSource(ds)
                .locations("classpath:db/migration", Dialect.SQLITE.migrations())
                .placeholders(Map.of("blob", Dialect.SQLITE.blobType())).outOfOrder(true).target("5").load().migrate();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO virtual_keys (id, name, prefix, key_hash, created_at) VALUES"
                    + " ('vk_aaaaaaaaaaaaaa', 'alice', 'kw_AAAAAAAA', '" + "a".repeat(64) + "', 10),"
                    + " ('vk_bbbbbbbbbbbbbb', 'alice', 'kw_BBBBBBBB', '" + "b".repeat(64) + "', 20),"
                    + " ('vk_cccccccccccccc', 'bob', 'kw_CCCCCCCC', '" + "c".repeat(64) + "', 30)");
        }
        try (Database db = Database.openSqlite(dir)) {
            List<PrincipalRecord> principals = new PrincipalStore(db).list();
            assertThat(principals).extracting(PrincipalRecord::name, PrincipalRecord::kind, PrincipalRecord::tier, PrincipalRecord::state)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", "app", "free", "active"),
                            org.assertj.core.groups.Tuple.tuple("bob", "app", "free", "active"));
            VirtualKeyStore keys = new VirtualKeyStore(db);
            String alice = principals.get(0).id();
            assertThat(alice).isEqualTo("pr_aaaaaaaaaaaaaa");
            assertThat(keys.findById("vk_aaaaaaaaaaaaaa").orElseThrow().principalId()).isEqualTo(alice);
            assertThat(keys.findById("vk_bbbbbbbbbbbbbb").orElseThrow().principalId()).isEqualTo(alice);
            assertThat(keys.findById("vk_cccccccccccccc").orElseThrow().principalId()).isEqualTo(principals.get(1).id());
        }
    }
}
