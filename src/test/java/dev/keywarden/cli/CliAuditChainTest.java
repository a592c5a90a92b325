package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.audit.AuditStore;
import dev.keywarden.cli.CliRunner.Run;
import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CLI command that records security events appends to one chain per store, {@code cli}, which stays one
 * verifiable sequence: a handful of commands do not leave a handful of chains.
 */
class CliAuditChainTest {

    @TempDir
    Path tmp;

    private static void runAll(Map<String, String> env) {
        Run init = CliRunner.run(env, "vault", "init");
        assertThat(init.exitCode()).as(init.all()).isZero();
        for (String[] command : List.of(new String[] {"vault", "rotate-kek"}, new String[] {"vault", "rewrap"},
                new String[] {"vault", "rotate-kek"})) {
            Run run = CliRunner.run(env, command);
            assertThat(run.exitCode()).as(run.all()).isZero();
        }
        Run verify = CliRunner.run(env, "audit", "verify");
        assertThat(verify.exitCode()).as(verify.all()).isZero();
    }

    private Map<String, String> localVault() {
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARDEN_DATA_DIR", tmp.resolve("data").toString());
        env.put("KEYWARDEN_VAULT_KEK", "local");
        env.put("KEYWARDEN_ADMIN_LISTEN", "off");
        return env;
    }

    @Test
    void commandsOnASqliteStoreShareOneCliChain() {
        Map<String, String> env = localVault();

        runAll(env);

        try (Database db = Database.openSqlite(tmp.resolve("data"))) {
            AuditStore store = new AuditStore(db);
            assertThat(store.chains()).containsExactly(CliAuditTrail.CHAIN);
            assertThat(store.last(CliAuditTrail.CHAIN).orElseThrow().seq()).as("records of four commands, one sequence")
                    .isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void commandsOnASharedPostgresStoreShareOneCliChain() {
        try (TestDatabases postgres = TestDatabases.start(Dialect.POSTGRESQL)) {
            Map<String, String> env = localVault();
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            env.put("KEYWARDEN_STORE", "postgres");
            env.put("KEYWARDEN_POSTGRES_URL", postgres.postgresUrl());
            env.put("KEYWARDEN_POSTGRES_USER", Services.postgresUser());
            env.put("KEYWARDEN_SERVER_SECRET", Base64.getEncoder().encodeToString(secret));

            runAll(env);

            try (Database db = postgres.reopen()) {
                assertThat(new AuditStore(db).chains()).containsExactly(CliAuditTrail.CHAIN);
            }
        }
    }
}
