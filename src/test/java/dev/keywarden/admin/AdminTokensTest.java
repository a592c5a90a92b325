package dev.keywarden.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass(name = "{0}")
@EnumSource(Dialect.class)
class AdminTokensTest {

    static TestDatabases backend;

    @Parameter
    Dialect dialect;

    @TempDir
    Path tmp;

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

    @Test
    void createdTokenVerifiesAndOthersDoNot() {
        try (Database db = backend.fresh()) {
            AdminTokens tokens = new AdminTokens(db, ServerSecret.resolve(null, tmp));
            String token = tokens.create("ops");
            assertThat(token).startsWith(AdminTokens.PREFIX);
            assertThat(tokens.verify(token)).isTrue();
            assertThat(tokens.verify(token + "x")).isFalse();
            assertThat(tokens.verify(AdminTokens.PREFIX + "A".repeat(43))).isFalse();
            assertThat(tokens.verify(null)).isFalse();
        }
    }

    @Test
    void aTokenMadeByOneProcessVerifiesInAnotherSharingTheStoreAndSecret() {
        ServerSecret secret = ServerSecret.resolve(null, tmp);
        try (Database first = backend.fresh(); Database second = backend.reopen()) {
            String token = new AdminTokens(first, secret).create("ops");
            assertThat(new AdminTokens(second, secret).verify(token)).isTrue();
        }
    }
}
