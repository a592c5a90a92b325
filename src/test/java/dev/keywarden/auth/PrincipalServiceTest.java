package dev.keywarden.auth;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.store.Database;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrincipalServiceTest {

    @TempDir
    Path dir;
    Database db;
    PrincipalService principals;
    VirtualKeyService keys;

    @BeforeEach
    void open() {
        db = Database.openSqlite(dir);
        principals = new PrincipalService(db, "free", Set.of("free", "pro", "enterprise", "gold")::contains);
        keys = VirtualKeyService.open(db, ServerSecret.resolve(null, dir), principals);
    }

    @AfterEach
    void close() {
        keys.close();
        db.close();
    }

    @Test
    void keyCreatedWithoutPrincipalBelongsToAnAppPrincipalOfItsNameOnTheDefaultTier() {
        CreatedVirtualKey k = keys.create("mobile-app");
        ClientIdentity id = ((AuthOutcome.Authenticated) keys.authenticate(k.key())).identity();
        Principal p = principals.find("mobile-app").orElseThrow();
        assertThat(p.kind()).isEqualTo(Principal.Kind.APP);
        assertThat(p.tier()).isEqualTo("free");
        assertThat(id.principalId()).isEqualTo(p.id());
        assertThat(id.principalName()).isEqualTo("mobile-app");
        assertThat(id.principalTier()).isEqualTo("free");
        assertThat(id.limitSubject()).isEqualTo(p.id());
        CreatedVirtualKey second = keys.create("mobile-app");
        ClientIdentity id2 = ((AuthOutcome.Authenticated) keys.authenticate(second.key())).identity();
        assertThat(id2.principalId()).as("keys sharing a name share a principal").isEqualTo(p.id());
    }

    @Test
    void keyCreatedForANamedPrincipalCarriesItsKindAndTier() {
        Principal team = principals.create("research", Principal.Kind.TEAM, "enterprise", null);
        Principal alice = principals.create("alice", Principal.Kind.USER, "pro", "research");
        assertThat(alice.teamId()).isEqualTo(team.id());
        CreatedVirtualKey k = keys.create("alice-laptop", alice.id());
        ClientIdentity id = ((AuthOutcome.Authenticated) keys.authenticate(k.key())).identity();
        assertThat(id).extracting(ClientIdentity::principalId, ClientIdentity::principalName, ClientIdentity::principalKind,
                ClientIdentity::principalTier).containsExactly(alice.id(), "alice", "user", "pro");
    }

    @Test
    void keyForAnUnknownPrincipalIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> keys.create("x", "nobody"))
                .isInstanceOf(PrincipalService.NoSuchPrincipalException.class)
                .hasMessageContaining("no principal has id or name nobody");
    }

    @Test
    void suspensionAndTierChangeAreSeenByCurrentAtOnceInTheSameProcess() {
        Principal p = principals.create("bob", Principal.Kind.USER, null, null);
        assertThat(principals.current(p.id()).orElseThrow().suspended()).isFalse();
        principals.suspend("bob");
        assertThat(principals.current(p.id()).orElseThrow().suspended()).isTrue();
        principals.resume(p.id());
        assertThat(principals.current(p.id()).orElseThrow().suspended()).isFalse();
        principals.setTier("bob", "gold");
        assertThat(principals.current(p.id()).orElseThrow().tier()).isEqualTo("gold");
    }

    @Test
    void changeMadeByAnotherProcessIsSeenWithinOneSecond() throws InterruptedException {
        Principal p = principals.create("carol", Principal.Kind.USER, "pro", null);
        assertThat(principals.current(p.id()).orElseThrow().suspended()).isFalse();
        new PrincipalService(db, "free", t -> true).suspend("carol");
        Thread.sleep(PrincipalService.CURRENT_TTL.toMillis() + 100);
        assertThat(principals.current(p.id()).orElseThrow().suspended()).isTrue();
    }

    @Test
    void unknownTierDuplicateNameAndNonTeamTeamAreRefused() {
        principals.create("dave", Principal.Kind.USER, "free", null);
        assertThatThrownBy(() -> principals.create("dave", Principal.Kind.USER, "free", null)).hasMessageContaining("already exists");
        assertThatThrownBy(() -> principals.create("erin", Principal.Kind.USER, "platinum", null)).hasMessageContaining("unknown tier 'platinum'");
        assertThatThrownBy(() -> principals.create("frank", Principal.Kind.USER, "free", "dave")).hasMessageContaining("not a team");
        assertThatThrownBy(() -> principals.setTier("nobody", "pro")).isInstanceOf(PrincipalService.NoSuchPrincipalException.class);
        assertThatThrownBy(() -> Principal.Kind.parse("robot")).hasMessageContaining("user, team or app");
    }
}
