package dev.keywarden.users;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.limits.LocalRateLimiter;
import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import dev.keywarden.testing.MutableClock;
import dev.keywarden.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserServiceTest {

    static TestDatabases backend;
    static final String PASSWORD = "violet tractor anthem";
    Database db;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    PrincipalService principals;
    SessionService sessions;
    UserService users;

    @BeforeAll
    static void startBackend() {
        backend = TestDatabases.start(Dialect.SQLITE);
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @BeforeEach
    void open() {
        db = backend.fresh();
        users = service(PasswordHasher.owaspMinimum());
    }

    UserService service(PasswordHasher hasher) {
        principals = new PrincipalService(db, "free", t -> List.of("free", "pro").contains(t));
        ServerSecret secret = ServerSecret.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));
        sessions = new SessionService(new JdbcSessionStore(db), secret, Duration.ofMinutes(30), Duration.ofHours(12), clock, events::add);
        LocalRateLimiter counters = new LocalRateLimiter(clock::millis);
        LoginThrottle throttle = new LoginThrottle(counters, counters, 5, 20, Duration.ofMinutes(5), events::add);
        return new UserService(db, principals, hasher, PasswordPolicy.standard(), sessions, throttle, events::add, clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    User add(String name) {
        return users.add(new UserService.NewUser(name, null, Role.USER, null, null, null), PASSWORD.toCharArray(), "test");
    }

    @Test
    void aNewUserIsAPrincipalOfKindUserOnTheRequestedTier() {
        User u = users.add(new UserService.NewUser("Alice", "Alice A.", Role.ADMIN, "pro", null, null), PASSWORD.toCharArray(), "test");
        assertThat(u.username()).isEqualTo("alice");
        assertThat(u.role()).isEqualTo(Role.ADMIN);
        Principal p = principals.find(u.principalId()).orElseThrow();
        assertThat(p.kind()).isEqualTo(Principal.Kind.USER);
        assertThat(p.name()).isEqualTo("alice");
        assertThat(p.tier()).isEqualTo("pro");
        assertThat(events).extracting(SecurityEvent::type).contains("user.created");
        assertThatThrownBy(() -> add("alice")).hasMessageContaining("already exists");
        principals.create("bot", Principal.Kind.APP, "free", null);
        assertThatThrownBy(() -> add("bot")).hasMessageContaining("a principal named bot already exists (app");
    }

    @Test
    void theStoredPasswordIsAnArgon2idHashNeverThePassword() throws Exception {
        add("alice");
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT password_hash FROM users")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain(PASSWORD);
        }
        assertThat(events.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void weakPasswordsAndBadUsernamesAreRefused() {
        assertThatThrownBy(() -> users.add(new UserService.NewUser("alice", null, Role.USER, null, null, null),
                "password1234".toCharArray(), "test")).hasMessageContaining("common");
        assertThatThrownBy(() -> add("Al ice")).hasMessageContaining("a username has 1 to 64 characters");
        assertThatThrownBy(() -> add("kw_abc")).hasMessageContaining("look like a key");
        assertThat(users.list()).isEmpty();
        assertThat(principals.list()).as("no principal left behind by a refused user").isEmpty();
    }

    @Test
    void unknownUserAndWrongPasswordGetTheSameAnswerAfterTheSameWork() {
        add("alice");
        SignInResult wrong = users.signIn("alice", "not the password!".toCharArray(), "10.0.0.1");
        SignInResult unknown = users.signIn("nobody", "not the password!".toCharArray(), "10.0.0.2");
        assertThat(wrong).isInstanceOf(SignInResult.Refused.class);
        assertThat(unknown).isInstanceOf(SignInResult.Refused.class);
        assertThat(((SignInResult.Refused) wrong).reason()).isEqualTo("wrong_password");
        assertThat(((SignInResult.Refused) unknown).reason()).isEqualTo("unknown_user");

        // both paths run one Argon2id derivation: the unknown-user answer is not measurably faster
        long wrongNanos = 0;
        long unknownNanos = 0;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            users.signIn("alice", ("nope nope nope " + i).toCharArray(), "10.1.0." + i);
            long t1 = System.nanoTime();
            users.signIn("nobody" + i, ("nope nope nope " + i).toCharArray(), "10.2.0." + i);
            long t2 = System.nanoTime();
            wrongNanos += t1 - t0;
            unknownNanos += t2 - t1;
        }
        assertThat((double) unknownNanos / wrongNanos).as("unknown user time / wrong password time").isBetween(0.5, 2.0);
        assertThat(events.stream().filter(e -> e.type().equals("user.sign_in_failed")).toList().toString())
                .doesNotContain("nobody").doesNotContain("nope");
    }

    @Test
    void theRightPasswordSignsInAndRecordsTheLogin() {
        User alice = add("alice");
        SignInResult r = users.signIn("ALICE", PASSWORD.toCharArray(), "10.0.0.1");
        assertThat(r).isInstanceOf(SignInResult.Success.class);
        assertThat(((SignInResult.Success) r).user().id()).isEqualTo(alice.id());
        assertThat(users.find(alice.id()).orElseThrow().lastLoginAt()).isEqualTo(clock.instant());
    }

    @Test
    void failuresForOneAccountLockItFromEveryAddressEvenWithTheRightPassword() {
        add("alice");
        for (int i = 0; i < 5; i++) {
            assertThat(users.signIn("alice", "wrong password!!".toCharArray(), "10.0.0." + i)).isInstanceOf(SignInResult.Refused.class);
        }
        SignInResult locked = users.signIn("alice", PASSWORD.toCharArray(), "10.9.9.9");
        assertThat(locked).isInstanceOf(SignInResult.Throttled.class);
        assertThat(((SignInResult.Throttled) locked).retryAfterSeconds()).isBetween(1L, 300L);
        assertThat(events).anyMatch(e -> e.type().equals("user.login_lockout") && e.alert());
        clock.advance(Duration.ofMinutes(5));
        assertThat(users.signIn("alice", PASSWORD.toCharArray(), "10.9.9.9")).isInstanceOf(SignInResult.Success.class);
    }

    @Test
    void anUnknownUsernameIsLockedLikeAKnownOne() {
        for (int i = 0; i < 5; i++) {
            users.signIn("ghost", "wrong password!!".toCharArray(), "10.0.0." + i);
        }
        assertThat(users.signIn("ghost", "wrong password!!".toCharArray(), "10.0.1.1")).isInstanceOf(SignInResult.Throttled.class);
    }

    @Test
    void failuresFromOneAddressLockThatAddressForEveryUsername() {
        add("alice");
        for (int i = 0; i < 20; i++) {
            users.signIn("user" + i, "wrong password!!".toCharArray(), "10.0.0.7");
        }
        assertThat(users.signIn("alice", PASSWORD.toCharArray(), "10.0.0.7")).isInstanceOf(SignInResult.Throttled.class);
        assertThat(users.signIn("alice", PASSWORD.toCharArray(), "10.0.0.8")).isInstanceOf(SignInResult.Success.class);
    }

    @Test
    void disablingAUserRefusesItsSignInAndEndsItsSessions() {
        User alice = add("alice");
        SessionService.NewSession s = sessions.open(alice, SessionService.METHOD_PASSWORD, null);
        users.disable("alice", "test");
        assertThat(sessions.resolve(s.token())).isEmpty();
        SignInResult r = users.signIn("alice", PASSWORD.toCharArray(), "10.0.0.1");
        assertThat(r).isEqualTo(new SignInResult.Refused("disabled"));
        users.enable(alice.id(), "test");
        assertThat(users.signIn("alice", PASSWORD.toCharArray(), "10.0.0.1")).isInstanceOf(SignInResult.Success.class);
    }

    @Test
    void aPasswordResetEndsEverySessionAndOnlyTheNewPasswordWorks() {
        User alice = add("alice");
        SessionService.NewSession s1 = sessions.open(alice, SessionService.METHOD_PASSWORD, null);
        SessionService.NewSession s2 = sessions.open(alice, SessionService.METHOD_OIDC, null);
        users.resetPassword("alice", "orange kayak lantern".toCharArray(), "test");
        assertThat(sessions.resolve(s1.token())).isEmpty();
        assertThat(sessions.resolve(s2.token())).isEmpty();
        assertThat(users.signIn("alice", PASSWORD.toCharArray(), "10.0.0.1")).isInstanceOf(SignInResult.Refused.class);
        assertThat(users.signIn("alice", "orange kayak lantern".toCharArray(), "10.0.0.1")).isInstanceOf(SignInResult.Success.class);
    }

    @Test
    void aSuspendedPrincipalCannotSignIn() {
        User alice = add("alice");
        principals.suspend(alice.principalId());
        assertThat(users.signIn("alice", PASSWORD.toCharArray(), "10.0.0.1")).isEqualTo(new SignInResult.Refused("principal_suspended"));
    }

    @Test
    void deletingAUserEndsItsSessionsAndSuspendsItsPrincipal() {
        User alice = add("alice");
        SessionService.NewSession s = sessions.open(alice, SessionService.METHOD_PASSWORD, null);
        users.delete("alice", "test");
        assertThat(users.find("alice")).isEmpty();
        assertThat(sessions.resolve(s.token())).isEmpty();
        assertThat(principals.find(alice.principalId()).orElseThrow().suspended()).isTrue();
    }

    @Test
    void aHashFromWeakerParametersIsUpgradedAtTheNextSignIn() throws Exception {
        add("alice");
        UserService stronger = service(new PasswordHasher(new PasswordHasher.Params(19 * 1024, 3, 1)));
        assertThat(stronger.signIn("alice", PASSWORD.toCharArray(), "10.0.0.1")).isInstanceOf(SignInResult.Success.class);
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT password_hash FROM users")) {
            rs.next();
            assertThat(rs.getString(1)).contains("m=19456,t=3,p=1");
        }
    }

    @Test
    void anOidcOnlyUserCannotSignInWithAPassword() {
        users.add(new UserService.NewUser("carol", null, Role.USER, null, "https://idp.example", "sub-1"), null, "test");
        assertThat(users.findByIdentity("https://idp.example", "sub-1")).map(User::username).contains("carol");
        assertThat(users.signIn("carol", "anything at all".toCharArray(), "10.0.0.1")).isEqualTo(new SignInResult.Refused("no_password"));
        assertThatThrownBy(() -> users.add(new UserService.NewUser("dave", null, Role.USER, null, null, null), null, "test"))
                .hasMessageContaining("password is required");
    }
}
