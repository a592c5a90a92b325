package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.auth.VirtualKeyInfo;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.admin.AdminTokens;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** V9: admin tokens and virtual keys made before roles, expiry and rotation keep working, with full rights. */
class V9MigrationTest {

    @TempDir
    Path dir;

    @Test
    void tokensMadeBeforeRolesBecomeAdminTokensAndKeysMadeBeforeExpiryNeverExpire() throws Exception {
        ServerSecret secret = ServerSecret.resolve(null, dir);
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String legacyToken = "kwadm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String key = VirtualKeyFormat.generate();
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve(Database.FILE_NAME));
        Flyway.configure(Database.class.getClassLoader()).dataSource(ds)
                .locations("classpath:db/migration", Dialect.SQLITE.migrations())
                .placeholders(Map.of("blob", Dialect.SQLITE.blobType())).outOfOrder(true).target("8").load().migrate();
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO admin_tokens (id, name, token_hash, created_at) VALUES ('adm_0011223344', 'ops', ?, 1000)")) {
                ps.setString(1, HexFormat.of().formatHex(secret.hmac(legacyToken)));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO virtual_keys (id, name, prefix, key_hash, created_at)"
                    + " VALUES ('vk_aaaaaaaaaaaaaa', 'old', ?, ?, 1000)")) {
                ps.setString(1, VirtualKeyFormat.displayPrefix(key));
                ps.setString(2, HexFormat.of().formatHex(secret.hmac(key)));
                ps.executeUpdate();
            }
        }

        try (Database db = Database.openSqlite(dir); VirtualKeyService keys = VirtualKeyService.open(db, secret)) {
            AdminTokens tokens = new AdminTokens(db, secret);
            AdminTokens.Check check = tokens.check(legacyToken);
            assertThat(check).isInstanceOf(AdminTokens.Check.Valid.class);
            AdminTokens.Info info = ((AdminTokens.Check.Valid) check).token();
            assertThat(info.role()).isEqualTo(AdminTokens.Role.ADMIN);
            assertThat(info.prefix()).isNull();
            assertThat(info.expiresAt()).isNull();
            assertThat(info.createdAt()).isEqualTo(Instant.ofEpochMilli(1000));

            assertThat(keys.authenticate(key)).isInstanceOf(AuthOutcome.Authenticated.class);
            VirtualKeyInfo k = keys.list().getFirst();
            assertThat(k.expiresAt()).isNull();
            assertThat(k.previousValidUntil()).isNull();
            assertThat(k.state(Instant.now())).isEqualTo("active");
        }
    }
}
