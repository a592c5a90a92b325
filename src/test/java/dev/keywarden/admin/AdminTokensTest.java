package dev.keywarden.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.format.AdminTokenFormat;
import dev.keywarden.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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

    static final Instant T0 = Instant.parse("2026-03-04T05:06:07Z");
    final MutableClock clock = new MutableClock(T0);
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    AdminTokens tokens(Database db) {
        return new AdminTokens(db, ServerSecret.resolve(null, tmp), events::add, clock);
    }

    @Test
    void newTokensCarryAChecksumThatScannersCheckOffline() {
        try (Database db = backend.fresh()) {
            AdminTokens.Created created = tokens(db).create("ops", AdminTokens.Role.ADMIN, null, "test");
            assertThat(AdminTokenFormat.isWellFormed(created.token())).isTrue();
            assertThat(created.token()).hasSize(AdminTokenFormat.LENGTH);
            assertThat(created.prefix()).isEqualTo(created.token().substring(0, AdminTokenFormat.DISPLAY_PREFIX_LENGTH));
            assertThat(created.toString()).doesNotContain(created.token());
        }
    }

    @Test
    void aTokenCarriesItsRoleAndAReadTokenMayOnlyRead() {
        try (Database db = backend.fresh()) {
            AdminTokens t = tokens(db);
            AdminTokens.Created read = t.create("prometheus", AdminTokens.Role.READ, null, "test");
            AdminTokens.Check check = t.check(read.token());
            assertThat(check).isInstanceOf(AdminTokens.Check.Valid.class);
            AdminTokens.Info info = ((AdminTokens.Check.Valid) check).token();
            assertThat(info.role()).isEqualTo(AdminTokens.Role.READ);
            assertThat(info.id()).isEqualTo(read.id());
            assertThat(info.role().permits("GET")).isTrue();
            assertThat(info.role().permits("POST")).isFalse();
            assertThat(info.role().permits("DELETE")).isFalse();
            assertThat(AdminTokens.Role.ADMIN.permits("DELETE")).isTrue();
            assertThatThrownBy(() -> AdminTokens.Role.parse("root")).hasMessageContaining("read").hasMessageContaining("admin");
        }
    }

    @Test
    void anExpiredTokenIsRefusedSayingItExpired() {
        try (Database db = backend.fresh()) {
            AdminTokens t = tokens(db);
            AdminTokens.Created created = t.create("ci", AdminTokens.Role.ADMIN, Duration.ofDays(30), "test");
            assertThat(created.expiresAt()).isEqualTo(T0.plus(Duration.ofDays(30)));
            clock.advance(Duration.ofDays(30).minusSeconds(1));
            assertThat(t.verify(created.token())).isTrue();

            clock.advance(Duration.ofSeconds(1));

            assertThat(t.check(created.token())).isEqualTo(new AdminTokens.Check.Refused("admin API: this admin token expired at "
                    + T0.plus(Duration.ofDays(30)) + "; create a new one with: keywarden admin create-token"));
            assertThat(t.list().getFirst().state(clock.instant())).isEqualTo("expired");
        }
    }

    @Test
    void aRevokedTokenIsRefusedAtOnceByAnotherProcessSharingTheStore() {
        try (Database first = backend.fresh(); Database second = backend.reopen()) {
            AdminTokens.Created created = tokens(first).create("ops", AdminTokens.Role.ADMIN, null, "test");
            assertThat(tokens(second).verify(created.token())).isTrue();

            assertThat(tokens(first).revoke(created.id(), "test")).isTrue();

            assertThat(tokens(second).check(created.token())).isInstanceOf(AdminTokens.Check.Refused.class)
                    .extracting(c -> ((AdminTokens.Check.Refused) c).message()).asString().contains("revoked");
            assertThat(tokens(second).revoke("adm_nosuchtoken", "test")).isFalse();
        }
    }

    @Test
    void aTokenCanBeRevokedByItsPrefixOrByTheWholeToken() {
        try (Database db = backend.fresh()) {
            AdminTokens t = tokens(db);
            AdminTokens.Created a = t.create("a", AdminTokens.Role.ADMIN, null, "test");
            AdminTokens.Created b = t.create("b", AdminTokens.Role.READ, null, "test");

            assertThat(t.revoke(a.prefix(), "test")).isTrue();
            assertThat(t.revoke(b.token(), "test")).isTrue();

            assertThat(t.verify(a.token())).isFalse();
            assertThat(t.verify(b.token())).isFalse();
        }
    }

    @Test
    void listShowsNameIdPrefixRoleAndTimesButNeverTheToken() {
        try (Database db = backend.fresh()) {
            AdminTokens t = tokens(db);
            AdminTokens.Created ops = t.create("ops", AdminTokens.Role.ADMIN, null, "test");
            AdminTokens.Created prom = t.create("prometheus", AdminTokens.Role.READ, Duration.ofDays(90), "test");
            clock.advance(Duration.ofMinutes(5));
            t.verify(prom.token());

            List<AdminTokens.Info> list = t.list();

            assertThat(list).extracting(AdminTokens.Info::name, AdminTokens.Info::id, AdminTokens.Info::prefix, AdminTokens.Info::role)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("ops", ops.id(), ops.prefix(), AdminTokens.Role.ADMIN),
                            org.assertj.core.groups.Tuple.tuple("prometheus", prom.id(), prom.prefix(), AdminTokens.Role.READ));
            AdminTokens.Info p = list.stream().filter(i -> i.name().equals("prometheus")).findFirst().orElseThrow();
            assertThat(p.createdAt()).isEqualTo(T0);
            assertThat(p.expiresAt()).isEqualTo(T0.plus(Duration.ofDays(90)));
            assertThat(p.lastUsedAt()).isEqualTo(T0.plusSeconds(300));
            assertThat(p.toMap(clock.instant())).containsEntry("role", "read").containsEntry("state", "active");
            assertThat(p.toMap(clock.instant()).toString()).doesNotContain(prom.token());
            assertThat(list.toString()).doesNotContain(ops.token()).doesNotContain(prom.token());
        }
    }

    @Test
    void lastUseIsWrittenAtMostOnceAMinute() {
        try (Database db = backend.fresh()) {
            AdminTokens t = tokens(db);
            AdminTokens.Created created = t.create("scraper", AdminTokens.Role.READ, null, "test");
            t.verify(created.token());
            clock.advance(Duration.ofSeconds(30));
            t.verify(created.token());
            assertThat(t.list().getFirst().lastUsedAt()).isEqualTo(T0);

            clock.advance(Duration.ofSeconds(31));
            t.verify(created.token());

            assertThat(t.list().getFirst().lastUsedAt()).isEqualTo(T0.plusSeconds(61));
        }
    }

    @Test
    void creatingAndRevokingRecordSecurityEventsNamingTheTokenIdNeverTheToken() {
        try (Database db = backend.fresh()) {
            AdminTokens t = tokens(db);
            AdminTokens.Created created = t.create("ops", AdminTokens.Role.READ, Duration.ofDays(1), "cli");
            t.revoke(created.id(), "admin-api");
            t.revoke(created.id(), "admin-api"); // a second revocation changes nothing and records nothing

            assertThat(events).extracting(SecurityEvent::type, SecurityEvent::subject).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("admin_token.created", created.id()),
                    org.assertj.core.groups.Tuple.tuple("admin_token.revoked", created.id()));
            assertThat(events.get(0).details()).containsEntry("role", "read").containsEntry("by", "cli")
                    .containsEntry("prefix", created.prefix());
            assertThat(events.get(1).details()).containsEntry("by", "admin-api");
            assertThat(events.toString()).doesNotContain(created.token());
        }
    }

    @Test
    void namesMustSayWhoTheTokenIsForAndNotLookLikeAKey() {
        try (Database db = backend.fresh()) {
            AdminTokens t = tokens(db);
            assertThatThrownBy(() -> t.create(" ", AdminTokens.Role.ADMIN, null, "test")).hasMessageContaining("name");
            assertThatThrownBy(() -> t.create("a\nb", AdminTokens.Role.ADMIN, null, "test")).hasMessageContaining("control");
            assertThatThrownBy(() -> t.create("kwadm_x", AdminTokens.Role.ADMIN, null, "test")).hasMessageContaining("look like");
            assertThatThrownBy(() -> t.create("ok", AdminTokens.Role.ADMIN, Duration.ZERO, "test")).hasMessageContaining("future");
        }
    }
}
