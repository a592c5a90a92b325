package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.store.Database;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.KeyScope;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.store.ProviderKeyStore;
import dev.keywarden.testing.MutableClock;
import dev.keywarden.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State changes, refresh and last-use times on their own, over a real store, driven by a
 * {@link MutableClock} and explicit {@link KeyLifecycle#tick} calls instead of the background thread.
 */
class KeyLifecycleTest {

    static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path tmp;

    final MutableClock clock = new MutableClock(START);
    final TestCipher cipher = new TestCipher();
    final RecordingEvents recorded = new RecordingEvents();
    final List<AutoCloseable> closeables = new ArrayList<>();
    Database db;
    ProviderKeyStore store;
    Process gateway;

    /** The parts of one process's view of the keys, wired as {@link VaultProviderKeys} wires them. */
    final class Process {
        final ProviderKeySelector selector;
        final InFlightCalls calls;
        final KeyLifecycle lifecycle;

        Process() {
            KeyEvents events = new KeyEvents(recorded, clock);
            LastUseLog uses = new LastUseLog(clock, store::updateLastUsed);
            selector = new ProviderKeySelector(cipher, KeyEnvironment.DEV, events, uses, Duration.ofMinutes(5),
                    () -> 0L);
            calls = new InFlightCalls(id -> selector.keys().revoked(id));
            lifecycle = new KeyLifecycle(store, KeyEnvironment.DEV, clock, events, selector, calls, uses);
            lifecycle.refresh();
            closeables.add(lifecycle);
        }

        String selected() {
            return selector.select("messages").orElseThrow().id();
        }
    }

    @BeforeEach
    void open() {
        db = Database.openSqlite(tmp.resolve("data"));
        store = new ProviderKeyStore(db);
        gateway = new Process();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        db.close();
    }

    ProviderKeyRecord addPending(Process p, String label, int priority) {
        byte[] secret = TestKeys.canaryProviderKey().getBytes(StandardCharsets.UTF_8);
        String id = ProviderKeyIds.newId();
        return p.lifecycle.addPending(id, new NewProviderKey(label, KeyEnvironment.DEV, KeyScope.ALL, priority, null, "test"),
                "sk-ant-api03-…" + label, ProviderKeyIds.sha256Hex(secret),
                SealedColumnMapper.toColumns(cipher.seal(id, secret)), null);
    }

    ProviderKeyRecord addActive(Process p, String label, int priority) {
        ProviderKeyRecord pending = addPending(p, label, priority);
        return p.lifecycle.activate(pending.id());
    }

    ProviderKeyState stateOf(String id) {
        return store.find(id).orElseThrow().state();
    }

    @Test
    void aKeyIsAddedPendingAndEachAllowedStepIsStampedWithTheClockAndRecordedOnce() {
        ProviderKeyRecord pending = addPending(gateway, "primary", 0);
        assertThat(pending.state()).isEqualTo(ProviderKeyState.PENDING);
        assertThat(pending.createdAt()).isEqualTo(START.toEpochMilli());
        assertThat(gateway.selector.select("messages")).isEmpty();

        clock.advance(Duration.ofMinutes(1));
        gateway.lifecycle.activate(pending.id());
        assertThat(gateway.selected()).isEqualTo(pending.id());
        clock.advance(Duration.ofMinutes(1));
        gateway.lifecycle.drain(pending.id());
        assertThat(gateway.selector.select("messages")).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        gateway.lifecycle.revokeNow(pending.id());

        ProviderKeyRecord revoked = store.find(pending.id()).orElseThrow();
        assertThat(revoked.state()).isEqualTo(ProviderKeyState.REVOKED);
        assertThat(revoked.stateChangedAt()).isEqualTo(START.plus(Duration.ofMinutes(3)).toEpochMilli());
        assertThat(recorded.types()).containsExactly("provider_key.added", "provider_key.activated",
                "provider_key.draining", "provider_key.revoked");
        assertThat(recorded.ofType("provider_key.draining")).singleElement().satisfies(e -> assertThat(e.details())
                .containsEntry("from", "active").containsEntry("to", "draining").containsEntry("active_keys_now", "0"));
    }

    @Test
    void aStepTheStateMachineForbidsIsRefusedWithAClearMessageAndChangesNothing() {
        ProviderKeyRecord key = addActive(gateway, "primary", 0);
        gateway.lifecycle.revokeNow(key.id());
        int events = recorded.events.size();

        assertThatThrownBy(() -> gateway.lifecycle.activate(key.id())).isInstanceOf(ProviderKeyStateException.class)
                .hasMessageContaining("is revoked and cannot become active")
                .hasMessageContaining("add a new key instead");
        assertThatThrownBy(() -> gateway.lifecycle.revokeNow(key.id())).isInstanceOf(ProviderKeyStateException.class)
                .hasMessageContaining("is already revoked");
        assertThatThrownBy(() -> gateway.lifecycle.drain("pk_missing")).isInstanceOf(ProviderKeyStateException.class)
                .hasMessageContaining("no provider key with id pk_missing");
        assertThat(stateOf(key.id())).isEqualTo(ProviderKeyState.REVOKED);
        assertThat(recorded.events).hasSize(events);
    }

    @Test
    void aRotatedInKeyRecordsWhenItWasRotatedIn() {
        ProviderKeyRecord key = addPending(gateway, "next", 0);
        clock.advance(Duration.ofHours(1));
        gateway.lifecycle.activateRotatedIn(key.id());

        assertThat(store.find(key.id()).orElseThrow().rotatedAt()).isEqualTo(clock.millis());
        assertThat(recorded.ofType("provider_key.activated")).singleElement()
                .satisfies(e -> assertThat(e.details()).containsEntry("rotated_in", "true"));
    }

    @Test
    void aRevokeByAnotherProcessIsPickedUpByTheNextTickAndCutsTheCallsInFlightOnIt() {
        ProviderKeyRecord a = addActive(gateway, "a", 0);
        ProviderKeyRecord b = addActive(gateway, "b", 1);
        assertThat(gateway.selected()).isEqualTo(a.id());
        AtomicInteger cut = new AtomicInteger();
        gateway.calls.track(a.id(), cut::incrementAndGet);

        Process cli = new Process();
        cli.lifecycle.revokeNow(a.id());
        assertThat(gateway.selected()).as("not seen before the next refresh").isEqualTo(a.id());
        assertThat(cut).hasValue(0);

        gateway.lifecycle.tick();

        assertThat(gateway.selected()).isEqualTo(b.id());
        assertThat(cut).hasValue(1);
        gateway.lifecycle.tick();
        assertThat(cut).as("a key already seen revoked is not cut again").hasValue(1);
    }

    @Test
    void lastUseIsNotedAtMostOncePerSecondAndWrittenByTheTick() {
        ProviderKeyRecord a = addActive(gateway, "a", 0);

        gateway.selected();
        clock.advance(Duration.ofMillis(400));
        gateway.selected();
        assertThat(store.find(a.id()).orElseThrow().lastUsedAt()).as("nothing written per request").isNull();
        gateway.lifecycle.tick();
        assertThat(store.find(a.id()).orElseThrow().lastUsedAt()).isEqualTo(START.toEpochMilli());

        clock.advance(Duration.ofMillis(600));
        gateway.selected();
        assertThat(gateway.lifecycle.flushLastUsed()).isEqualTo(1);
        assertThat(store.find(a.id()).orElseThrow().lastUsedAt()).isEqualTo(clock.millis());
        assertThat(gateway.lifecycle.flushLastUsed()).isZero();
    }

    @Test
    void upstream403IsRecordedAtMostOnceAMinutePerKeyAndNeverChangesTheKey() {
        ProviderKeyRecord a = addActive(gateway, "a", 0);
        ProviderKey key = gateway.selector.select("messages").orElseThrow();

        gateway.lifecycle.rejectedByUpstream(key, 403);
        clock.advance(KeyEvents.THROTTLE.minusSeconds(1));
        gateway.lifecycle.rejectedByUpstream(key, 403);
        assertThat(recorded.ofType("provider_key.permission_denied")).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        gateway.lifecycle.rejectedByUpstream(key, 403);
        assertThat(recorded.ofType("provider_key.permission_denied")).hasSize(2)
                .allSatisfy(e -> assertThat(e.alert()).isFalse());
        assertThat(stateOf(a.id())).isEqualTo(ProviderKeyState.ACTIVE);
        assertThat(gateway.selected()).isEqualTo(a.id());
    }

    @Test
    void upstream401MarksTheKeyCompromisedOnceAndTheBackupServes() {
        ProviderKeyRecord a = addActive(gateway, "a", 0);
        ProviderKeyRecord b = addActive(gateway, "b", 1);
        ProviderKey key = gateway.selector.select("messages").orElseThrow();

        gateway.lifecycle.rejectedByUpstream(key, 401);
        gateway.lifecycle.rejectedByUpstream(key, 401);
        Process other = new Process();
        other.lifecycle.rejectedByUpstream(key, 401); // another gateway saw the same 401: it lost the race, no alert

        assertThat(stateOf(a.id())).isEqualTo(ProviderKeyState.COMPROMISED);
        assertThat(gateway.selected()).isEqualTo(b.id());
        assertThat(recorded.ofType("provider_key.compromised")).singleElement()
                .satisfies(e -> assertThat(e.alert()).isTrue())
                .satisfies(e -> assertThat(e.details()).containsEntry("store", "marked compromised")
                        .containsEntry("next_key", b.id() + " " + b.displayFingerprint()));
    }

    @Test
    void upstream401StopsSelectionInThisProcessEvenWhenTheStoreCannotRecordIt() {
        addActive(gateway, "a", 0);
        ProviderKeyRecord b = addActive(gateway, "b", 1);
        ProviderKey key = gateway.selector.select("messages").orElseThrow();
        db.close();

        gateway.lifecycle.rejectedByUpstream(key, 401);

        assertThat(gateway.selected()).isEqualTo(b.id());
        assertThat(recorded.ofType("provider_key.compromised")).singleElement()
                .satisfies(e -> assertThat(e.details().get("store")).startsWith("NOT recorded in the store"))
                .satisfies(e -> assertThat(e.details()).containsEntry("next_key", b.id() + " " + b.displayFingerprint()));
    }

    @Test
    void aKeyReportedByUpstreamThatThisProcessDoesNotListIsIgnored() {
        addActive(gateway, "a", 0);
        gateway.lifecycle.rejectedByUpstream(new ProviderKey("pk_not_ours", TestKeys.fakeProviderKey()), 401);

        assertThat(recorded.events).extracting(SecurityEvent::type).doesNotContain("provider_key.compromised");
    }

    @Test
    void statusesListEveryEnvironmentWithTheRotationStatusAtTheClocksTime() {
        ProviderKeyRecord a = addActive(gateway, "a", 0);
        clock.advance(Duration.ofDays(91));

        assertThat(gateway.lifecycle.statuses()).singleElement().satisfies(s -> {
            assertThat(s.key().id()).isEqualTo(a.id());
            assertThat(s.overdue()).isTrue();
        });
    }
}
