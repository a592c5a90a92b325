package dev.keywarden.config;

import java.net.URI;
import java.util.Optional;

/**
 * Where a gateway keeps what several instances must share: the store (embedded SQLite or a
 * PostgreSQL server) and the live state for limits (in-process or a Redis server).
 *
 * <p>Guarantees: built only by {@link ConfigLoader}, so with {@link Store#POSTGRES} a JDBC URL is
 * present, and neither URL carries a password (passwords come only from the {@link Secret} fields,
 * so the URLs can be logged); with {@link State#REDIS} a Redis URL is present.
 *
 * @param store            sqlite (default, zero setup) or postgres
 * @param postgresUrl      {@code jdbc:postgresql://host:port/database[?options]}, present when {@code store} is postgres
 * @param postgresUser     the database user; empty leaves it to the URL ({@code ?user=}) or the driver's default
 * @param postgresPassword the database password; empty for trust or peer authentication
 * @param postgresPoolSize the most connections this instance opens to PostgreSQL
 * @param state            local (default: limits live in this process) or redis
 * @param redisUrl         {@code redis://host:port[/db]} or {@code rediss://…}, present when {@code state} is redis
 * @param redisPassword    the Redis password (AUTH); empty when Redis has none
 * @param onRedisFailure   what limits do while Redis is unreachable; budgets fail closed whatever this says
 * @param instances        how many gateway instances share the state (divides local-fallback rate limits)
 */
public record SharedConfig(Store store, Optional<String> postgresUrl, Optional<String> postgresUser,
                           Optional<Secret> postgresPassword, int postgresPoolSize, State state, Optional<URI> redisUrl,
                           Optional<Secret> redisPassword, OnRedisFailure onRedisFailure, int instances) {

    /** The store backend. */
    public enum Store {
        /** One SQLite file in the data directory: a single host. */
        SQLITE,
        /** A PostgreSQL database that any number of gateway instances share. */
        POSTGRES
    }

    /** Where live limit state (counters, token uses) is kept. */
    public enum State {
        /** In this process: correct for a single instance only. */
        LOCAL,
        /** In Redis: shared by every instance. */
        REDIS
    }

    /**
     * What limits do while Redis cannot be reached. Budgets always fail closed (a request whose
     * spend cannot be checked is refused).
     */
    public enum OnRedisFailure {
        /** Request-rate limits refuse requests too while Redis is unreachable. */
        FAIL_CLOSED,
        /**
         * Request-rate limits fall back to per-instance limits of {@code limit / instances}, with an
         * alert; budgets still fail closed.
         */
        LOCAL_FALLBACK
    }

    public boolean postgres() {
        return store == Store.POSTGRES;
    }

    public boolean redis() {
        return state == State.REDIS;
    }
}
