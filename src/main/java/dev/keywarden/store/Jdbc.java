package dev.keywarden.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs SQL on the pooled connections of one {@link Database}: a connection is borrowed for one
 * statement (or one transaction) and always returned, and every failure becomes one
 * {@link StoreException}.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Any {@link SQLException} or {@link RuntimeException} (driver, closed pool, row mapper,
 *       consumer) surfaces as {@link Database#failure}: a {@code StoreException} whose message names
 *       the database and the caller's {@code operation} and ends with the driver's reason, redacted.
 *       Parameter values are never put into a message, so a key hash or any other bound value cannot
 *       reach a log line through it (PostgreSQL's row details are switched off when the pool opens).</li>
 *   <li>{@link #inTransaction} and {@link #batch} commit everything or nothing: on any failure the
 *       transaction is rolled back before the exception leaves, and the connection goes back to the
 *       pool with its auto-commit mode restored.</li>
 * </ul>
 *
 * <p>Parameters bind by type: {@code String}, {@code Long}, {@code Integer}, {@code byte[]} and
 * {@code Boolean}; a plain {@code null} is a null text value. A nullable number must carry its SQL type,
 * which PostgreSQL needs: pass {@link #nullableLong} or {@link #nullableInt}.
 */
public final class Jdbc {

    /** Maps the current row of a result set; must not move the cursor. */
    @FunctionalInterface
    public interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Work done on one connection inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Transaction tx) throws SQLException;
    }

    private static final int STREAM_FETCH_SIZE = 1_000;

    private final Database database;

    Jdbc(Database database) {
        this.database = database;
    }

    /** Every row {@code sql} returns, mapped by {@code row}, in the database's order. */
    public <T> List<T> query(String operation, String sql, Row<T> row, Object... parameters) {
        List<T> rows = new ArrayList<>();
        forEach(operation, sql, row, rows::add, false, parameters);
        return rows;
    }

    /** The first row {@code sql} returns, if any. */
    public <T> Optional<T> queryOne(String operation, String sql, Row<T> row, Object... parameters) {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, parameters);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row.map(rs)) : Optional.empty();
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    /**
     * Hands each row to {@code consumer} as it is read (fetched in pages where the driver can), so a
     * long result needs no memory per row. An exception from {@code consumer} ends the read and
     * surfaces as a {@link StoreException} like a database failure.
     */
    public <T> void stream(String operation, String sql, Row<T> row, Consumer<? super T> consumer, Object... parameters) {
        forEach(operation, sql, row, consumer, true, parameters);
    }

    /** Runs one {@code INSERT}, {@code UPDATE} or {@code DELETE}; returns how many rows it changed. */
    public int update(String operation, String sql, Object... parameters) {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, parameters);
            return ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    /** Runs {@code sql} once per item, with the parameters {@code parameters} gives for it, in one transaction. */
    public <T> void batch(String operation, String sql, Collection<T> items, Function<T, Object[]> parameters) {
        inTransaction(operation, tx -> {
            tx.batch(sql, items, parameters);
            return null;
        });
    }

    /** Runs {@code work} in one transaction on one connection: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(String operation, Work<T> work) {
        try (Connection c = database.dataSource().getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(new Transaction(c));
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    /** {@code value}, or a SQL {@code BIGINT} null when it is null. */
    public static Object nullableLong(Long value) {
        return value != null ? value : TypedNull.BIGINT;
    }

    /** {@code value}, or a SQL {@code INTEGER} null when it is null. */
    public static Object nullableInt(Integer value) {
        return value != null ? value : TypedNull.INTEGER;
    }

    /** The {@code BIGINT} in column {@code index} of the current row, or null when it is SQL null. */
    public static Long getNullableLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : value;
    }

    /** The {@code INTEGER} in column {@code index} of the current row, or null when it is SQL null. */
    public static Integer getNullableInt(ResultSet rs, int index) throws SQLException {
        int value = rs.getInt(index);
        return rs.wasNull() ? null : value;
    }

    /** Statements on the connection of one transaction; they fail with {@link SQLException}, which rolls it back. */
    public static final class Transaction {
        private final Connection connection;

        private Transaction(Connection connection) {
            this.connection = connection;
        }

        /** Runs one statement in this transaction; returns how many rows it changed. */
        public int update(String sql, Object... parameters) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                bind(ps, parameters);
                return ps.executeUpdate();
            }
        }

        /** Runs {@code sql} once per item as one JDBC batch in this transaction. */
        public <T> void batch(String sql, Collection<T> items, Function<T, Object[]> parameters) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (T item : items) {
                    bind(ps, parameters.apply(item));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private <T> void forEach(String operation, String sql, Row<T> row, Consumer<? super T> consumer, boolean paged,
                             Object... parameters) {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, parameters);
            if (paged) {
                ps.setFetchSize(STREAM_FETCH_SIZE);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    consumer.accept(row.map(rs));
                }
            }
        } catch (SQLException | RuntimeException e) {
            throw database.failure(operation, e);
        }
    }

    private static void bind(PreparedStatement ps, Object[] parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            int index = i + 1;
            switch (parameters[i]) {
                case null -> ps.setNull(index, Types.VARCHAR);
                case String s -> ps.setString(index, s);
                case Long l -> ps.setLong(index, l);
                case Integer n -> ps.setInt(index, n);
                case byte[] b -> ps.setBytes(index, b);
                case Boolean b -> ps.setBoolean(index, b);
                case TypedNull t -> ps.setNull(index, t.sqlType);
                // the message names the position and type only, never the value
                default -> throw new IllegalArgumentException("parameter " + index + " has an unsupported type "
                        + parameters[i].getClass().getSimpleName());
            }
        }
    }

    private enum TypedNull {
        BIGINT(Types.BIGINT), INTEGER(Types.INTEGER);

        final int sqlType;

        TypedNull(int sqlType) {
            this.sqlType = sqlType;
        }
    }
}
