package dev.keywarden.users;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.state.RedisState;
import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.MutableClock;
import dev.keywarden.testing.Services;
import dev.keywarden.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Sessions behave the same in every store: SQLite, PostgreSQL and Redis (shared mode). */
class SessionServiceTest {

    static final Map<String, TestDatabases> BACKENDS = new ConcurrentHashMap<>();
    static RedisState redis;
    final List<AutoCloseable> opened = new ArrayList<>();
    /** Starts at the real time: Redis expires session keys at their absolute end by its own clock (PEXPIREAT). */
    final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    final List<SecurityEvent> events = new ArrayList<>();
    final ServerSecret secret = ServerSecret.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));

    @AfterEach
    void closeOpened() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    @AfterAll
    static void closeBackends() {
        BACKENDS.values().forEach(TestDatabases::close);
        if (redis != null) {
            redis.close();
        }
    }

    SessionStore store(String kind) {
        if (kind.equals("redis")) {
            Services.assumeRedis();
            synchronized (SessionServiceTest.class) {
                if (redis == null) {
                    redis = RedisState.connect(Services.redisUrl(), Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(2));
                }
            }
            return new RedisSessionStore(redis);
        }
        Dialect d = kind.equals("postgres") ? Dialect.POSTGRESQL : Dialect.SQLITE;
        Database db = BACKENDS.computeIfAbsent(kind, k -> TestDatabases.start(d)).fresh();
        opened.add(db);
        return new JdbcSessionStore(db);
    }

    SessionService service(String kind) {
        return new SessionService(store(kind), secret, Duration.ofMinutes(30), Duration.ofHours(12), clock, events::add);
    }

    static User user(String id) {
        return new User(id, "alice", null, Role.USER, "pr_x", false, true, Instant.EPOCH, null);
    }

    static String uid() {
        return "usr_" + java.util.UUID.randomUUID().toString().replace("-", "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres", "redis"})
    void everySignInGetsANewRandomIdThatResolves(String kind) {
        SessionService sessions = service(kind);
        User alice = user(uid());
        SessionService.NewSession a = sessions.open(alice, SessionService.METHOD_PASSWORD, "127.0.0.1");
        SessionService.NewSession b = sessions.open(alice, SessionService.METHOD_PASSWORD, "127.0.0.1");
        assertThat(a.token()).startsWith("kw_ses_").hasSize(45).isNotEqualTo(b.token());
        assertThat(a.record().id()).isNotEqualTo(b.record().id());
        assertThat(sessions.resolve(a.token())).map(s -> s.record().userId()).contains(alice.id());
        assertThat(sessions.resolve(b.token())).isPresent();
        assertThat(sessions.resolve(a.token().substring(0, 44) + "x")).isEmpty();
        assertThat(sessions.resolve("kw_ses_" + "A".repeat(38))).isEmpty();
        assertThat(events).extracting(SecurityEvent::type).contains("session.signed_in");
        assertThat(events.toString()).doesNotContain(a.token()).doesNotContain(b.token());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres", "redis"})
    void aSessionIdlesOutAfterTheIdleTimeoutButUseKeepsItAlive(String kind) {
        SessionService sessions = service(kind);
        SessionService.NewSession s = sessions.open(user(uid()), SessionService.METHOD_PASSWORD, null);
        clock.advance(Duration.ofMinutes(29));
        assertThat(sessions.resolve(s.token())).as("used after 29 minutes").isPresent();
        clock.advance(Duration.ofMinutes(29));
        assertThat(sessions.resolve(s.token())).as("the use restarted the idle clock").isPresent();
        clock.advance(Duration.ofMinutes(30));
        assertThat(sessions.resolve(s.token())).as("30 idle minutes").isEmpty();
        clock.advance(Duration.ofSeconds(-1));
        assertThat(sessions.resolve(s.token())).as("an idled-out session is deleted, not just refused").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres", "redis"})
    void aSessionEndsAtItsAbsoluteLifetimeEvenWhenInUse(String kind) {
        SessionService sessions = service(kind);
        SessionService.NewSession s = sessions.open(user(uid()), SessionService.METHOD_PASSWORD, null);
        for (int i = 0; i < 23; i++) {
            clock.advance(Duration.ofMinutes(30).minusSeconds(1));
            assertThat(sessions.resolve(s.token())).as("in use after %d half hours", i + 1).isPresent();
        }
        clock.advance(Duration.ofMinutes(30));
        assertThat(sessions.resolve(s.token())).as("12 hours after sign-in").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres", "redis"})
    void signOutRevokeAndRevokeAllEndSessionsAtOnce(String kind) {
        SessionService sessions = service(kind);
        User alice = user(uid());
        User bob = user(uid());
        SessionService.NewSession a1 = sessions.open(alice, SessionService.METHOD_PASSWORD, null);
        SessionService.NewSession a2 = sessions.open(alice, SessionService.METHOD_OIDC, null);
        SessionService.NewSession a3 = sessions.open(alice, SessionService.METHOD_OIDC, null);
        SessionService.NewSession b1 = sessions.open(bob, SessionService.METHOD_PASSWORD, null);

        assertThat(sessions.signOut(a1.token(), "127.0.0.1")).isTrue();
        assertThat(sessions.resolve(a1.token())).isEmpty();
        assertThat(sessions.list(alice.id())).extracting(SessionRecord::id).containsExactlyInAnyOrder(a2.record().id(), a3.record().id());

        assertThat(sessions.revoke(a2.record().id(), "test")).isPresent();
        assertThat(sessions.resolve(a2.token())).isEmpty();
        assertThat(sessions.revoke(a2.record().id(), "test")).as("already revoked").isEmpty();

        assertThat(sessions.revokeAll(alice.id(), "password_changed")).isEqualTo(1);
        assertThat(sessions.resolve(a3.token())).isEmpty();
        assertThat(sessions.resolve(b1.token())).as("another user's session stays").isPresent();
        assertThat(events).extracting(SecurityEvent::type).contains("session.signed_out", "session.revoked", "session.revoked_all");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "redis"})
    void theCsrfTokenIsBoundToItsSession(String kind) {
        SessionService sessions = service(kind);
        SessionService.NewSession a = sessions.open(user(uid()), SessionService.METHOD_PASSWORD, null);
        SessionService.NewSession b = sessions.open(user(uid()), SessionService.METHOD_PASSWORD, null);
        assertThat(sessions.csrfValid(a.token(), a.csrfToken())).isTrue();
        assertThat(sessions.resolve(a.token()).orElseThrow().csrfToken()).isEqualTo(a.csrfToken());
        assertThat(sessions.csrfValid(a.token(), b.csrfToken())).isFalse();
        assertThat(sessions.csrfValid(a.token(), "")).isFalse();
        assertThat(sessions.csrfValid(a.token(), null)).isFalse();
        assertThat(a.csrfToken()).isNotEqualTo(a.token()).doesNotContain(a.token());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite"})
    void theStoreHoldsOnlyAKeyedHashOfTheSessionId(String kind) throws Exception {
        Database db = BACKENDS.computeIfAbsent(kind, k -> TestDatabases.start(Dialect.SQLITE)).fresh();
        opened.add(db);
        SessionService sessions = new SessionService(new JdbcSessionStore(db), secret, Duration.ofMinutes(30), Duration.ofHours(12),
                clock, events::add);
        SessionService.NewSession s = sessions.open(user(uid()), SessionService.METHOD_PASSWORD, null);
        StringBuilder all = new StringBuilder();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM user_sessions")) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    all.append(rs.getString(i)).append('|');
                }
            }
        }
        assertThat(all.toString()).contains(s.record().id()).doesNotContain(s.token()).doesNotContain(s.token().substring(7, 30))
                .doesNotContain(s.csrfToken());
    }
}
