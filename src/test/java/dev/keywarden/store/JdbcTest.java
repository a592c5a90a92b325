package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.testing.TestDatabases;
import dev.keywarden.testing.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass(name = "{0}")
@EnumSource(Dialect.class)
class JdbcTest {

    static TestDatabases backend;

    @Parameter
    Dialect dialect;

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

    Database db;
    Jdbc jdbc;

    record Probe(String id, Long n, Integer m, byte[] bytes) {
    }

    @BeforeEach
    void open() {
        db = backend.fresh();
        jdbc = db.jdbc();
        jdbc.update("create the probe table", "CREATE TABLE IF NOT EXISTS jdbc_probe (id TEXT PRIMARY KEY, n BIGINT, "
                + "m INTEGER, b " + dialect.blobType() + ")");
        jdbc.update("empty the probe table", "DELETE FROM jdbc_probe");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void insert(String id, Long n) {
        jdbc.update("insert a probe", "INSERT INTO jdbc_probe (id, n, m, b) VALUES (?, ?, ?, ?)", id,
                Jdbc.nullableLong(n), Jdbc.nullableInt(null), new byte[] {1, 2, 3});
    }

    private List<Probe> all() {
        return jdbc.query("list probes", "SELECT id, n, m, b FROM jdbc_probe ORDER BY id",
                rs -> new Probe(rs.getString(1), Jdbc.getNullableLong(rs, 2), Jdbc.getNullableInt(rs, 3), rs.getBytes(4)));
    }

    @Test
    void queryReturnsEveryRowInOrderAndQueryOneTheFirstOrNothing() {
        insert("b", 2L);
        insert("a", 1L);

        assertThat(all()).extracting(Probe::id).containsExactly("a", "b");
        assertThat(jdbc.queryOne("find a probe", "SELECT n FROM jdbc_probe WHERE id = ?", rs -> rs.getLong(1), "b"))
                .contains(2L);
        assertThat(jdbc.queryOne("find a probe", "SELECT n FROM jdbc_probe WHERE id = ?", rs -> rs.getLong(1), "zz"))
                .isEmpty();
    }

    @Test
    void typedNullsAndBytesRoundTripOnBothEngines() {
        insert("a", null);
        jdbc.update("set m", "UPDATE jdbc_probe SET m = COALESCE(?, m), n = COALESCE(?, 7) WHERE id = ?",
                Jdbc.nullableInt(5), Jdbc.nullableLong(null), "a");

        Probe probe = all().getFirst();
        assertThat(probe.n()).isEqualTo(7L);
        assertThat(probe.m()).isEqualTo(5);
        assertThat(probe.bytes()).containsExactly(1, 2, 3);
    }

    @Test
    void updateReturnsHowManyRowsChanged() {
        insert("a", 1L);
        insert("b", 1L);
        insert("c", 2L);

        assertThat(jdbc.update("bump", "UPDATE jdbc_probe SET n = n + 10 WHERE n = ?", 1L)).isEqualTo(2);
        assertThat(jdbc.update("bump", "UPDATE jdbc_probe SET n = n + 10 WHERE n = ?", 99L)).isZero();
    }

    @Test
    void aTransactionThatFailsHalfwayLeavesNothingWrittenAndTheNextStatementCommitsOnItsOwn() {
        assertThatThrownBy(() -> jdbc.inTransaction("write two probes", tx -> {
            tx.update("INSERT INTO jdbc_probe (id, n) VALUES (?, ?)", "a", 1L);
            tx.update("INSERT INTO jdbc_probe (id, n) VALUES (?, ?)", "a", 2L); // duplicate key
            return null;
        })).isInstanceOf(StoreException.class).hasMessageContaining("cannot write two probes");
        assertThat(all()).isEmpty();

        // the pooled connection came back in auto-commit mode: a second pool (another process) sees this at once
        insert("b", 3L);
        try (Database other = backend.reopen()) {
            assertThat(other.jdbc().query("list probes", "SELECT id FROM jdbc_probe", rs -> rs.getString(1)))
                    .containsExactly("b");
        }
    }

    @Test
    void aBatchIsAllOrNothing() {
        jdbc.batch("write probes", "INSERT INTO jdbc_probe (id, n) VALUES (?, ?)", List.of("a", "b"),
                id -> new Object[] {id, 1L});
        assertThat(all()).extracting(Probe::id).containsExactly("a", "b");

        assertThatThrownBy(() -> jdbc.batch("write probes", "INSERT INTO jdbc_probe (id, n) VALUES (?, ?)",
                List.of("c", "a", "d"), id -> new Object[] {id, 1L}))
                .isInstanceOf(StoreException.class);
        assertThat(all()).extracting(Probe::id).containsExactly("a", "b");
    }

    @Test
    void aCommittedTransactionReturnsItsResult() {
        int written = jdbc.inTransaction("write probes", tx ->
                tx.update("INSERT INTO jdbc_probe (id, n) VALUES (?, ?)", "a", 1L)
                        + tx.update("INSERT INTO jdbc_probe (id, n) VALUES (?, ?)", "b", 2L));
        assertThat(written).isEqualTo(2);
        assertThat(all()).hasSize(2);
    }

    @Test
    void aFailureNamesTheDatabaseAndTheOperationButNeverABoundValue() {
        String secret = TestKeys.canaryProviderKey();
        jdbc.update("insert a probe", "INSERT INTO jdbc_probe (id, n) VALUES (?, ?)", secret, 1L);

        List<Throwable> failures = new ArrayList<>();
        failures.add(catchFailure(() -> jdbc.update("store a key hash", "INSERT INTO jdbc_probe (id, n) VALUES (?, ?)",
                secret, 2L)));
        failures.add(catchFailure(() -> jdbc.queryOne("look up a key hash", "SELECT id FROM no_such_table WHERE id = ?",
                rs -> rs.getString(1), secret)));
        failures.add(catchFailure(() -> jdbc.update("store a key hash", "INSERT INTO jdbc_probe (id) VALUES (?)",
                Map.of("k", secret))));

        for (Throwable failure : failures) {
            assertThat(failure).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("Keywarden database " + db.location() + ": cannot ");
            assertThat(failure.getMessage()).doesNotContain(secret).doesNotContain(secret.substring(14, 40));
        }
        assertThat(failures.get(2)).hasMessageContaining("parameter 1 has an unsupported type");
    }

    @Test
    void anExceptionFromARowMapperOrConsumerSurfacesAsAStoreExceptionNamingTheOperation() {
        insert("a", 1L);

        assertThatThrownBy(() -> jdbc.query("list probes", "SELECT id FROM jdbc_probe", rs -> {
            throw new IllegalStateException("mapper broke");
        })).isInstanceOf(StoreException.class).hasMessageContaining("cannot list probes: mapper broke");
        assertThatThrownBy(() -> jdbc.stream("read probes", "SELECT id FROM jdbc_probe", rs -> rs.getString(1), id -> {
            throw new IllegalStateException("consumer broke");
        })).isInstanceOf(StoreException.class).hasMessageContaining("cannot read probes: consumer broke");
    }

    @Test
    void streamHandsEveryRowToTheConsumerInOrder() {
        for (int i = 0; i < 25; i++) {
            insert("p" + (char) ('a' + i), (long) i);
        }
        List<Long> seen = new ArrayList<>();
        jdbc.stream("read probes", "SELECT n FROM jdbc_probe WHERE n >= ? ORDER BY id", rs -> rs.getLong(1), seen::add, 5L);
        assertThat(seen).hasSize(20).isSorted();
    }

    @Test
    void aClosedDatabaseFailsWithAStoreException() {
        db.close();
        assertThatThrownBy(() -> jdbc.query("list probes", "SELECT id FROM jdbc_probe", rs -> rs.getString(1)))
                .isInstanceOf(StoreException.class).hasMessageContaining("cannot list probes");
    }

    private static Throwable catchFailure(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }
}
