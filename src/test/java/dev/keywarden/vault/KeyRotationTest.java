package dev.keywarden.vault;

import dev.keywarden.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.store.DuplicateProviderKeyException;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.KeyScope;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRotationTest {

    @TempDir
    Path tmp;
    VaultFixture f;

    @BeforeEach
    void open() {
        f = new VaultFixture(tmp.resolve("data"));
    }

    @AfterEach
    void close() throws Exception {
        f.close();
    }

    private ProviderKeyState stateOf(String id) {
        return f.store.find(id).orElseThrow().state();
    }

    private ProviderKeyRecord byFingerprint(String secret) {
        return f.store.findByFingerprint(KeyEnvironment.DEV, ProviderKeyIds.sha256Hex(VaultFixture.bytes(secret))).orElseThrow();
    }

    @Test
    void rotationActivatesTheNewKeyWithTheOldPriorityThenDrainsAndRevokesTheOldOneWithAnEventPerStep() {
        ProviderKeyRecord old = f.add("primary", 0);
        f.add("backup", 5);
        f.events.events.clear();
        String next = f.newSecret();

        KeyRotation.RotationResult result = f.rotation.rotate(old.id(), VaultFixture.bytes(next), "env:NEW_KEY");

        ProviderKeyRecord fresh = result.replacement();
        assertThat(result.retired().state()).isEqualTo(ProviderKeyState.REVOKED);
        assertThat(result.drainedCleanly()).isTrue();
        assertThat(stateOf(old.id())).isEqualTo(ProviderKeyState.REVOKED);
        assertThat(fresh.state()).isEqualTo(ProviderKeyState.ACTIVE);
        assertThat(fresh.priority()).isEqualTo(0);
        assertThat(fresh.label()).isEqualTo("primary");
        assertThat(fresh.source()).isEqualTo("env:NEW_KEY");
        assertThat(fresh.rotatedAt()).isNotNull();
        assertThat(f.keys.select("messages").orElseThrow().secret()).isEqualTo(next);
        assertThat(f.events.types()).containsExactly(
                "provider_key.rotation_started", "provider_key.added", "provider_key.verified",
                "provider_key.activated", "provider_key.draining", "provider_key.drained",
                "provider_key.revoked", "provider_key.rotated");
        assertThat(f.events.events).extracting(SecurityEvent::subject).containsExactly(
                old.id(), fresh.id(), fresh.id(), fresh.id(), old.id(), old.id(), old.id(), fresh.id());
    }

    @Test
    void whenUpstreamRejectsTheNewKeyTheOldKeyStaysActiveAndTheNewOneIsRevoked() {
        ProviderKeyRecord old = f.add("primary", 0);
        f.verdict = new KeyVerification.Rejected(401, "authentication_error");
        String next = f.newSecret();

        assertThatThrownBy(() -> f.rotation.rotate(old.id(), VaultFixture.bytes(next), "env:NEW_KEY"))
                .isInstanceOf(RotationException.class)
                .hasMessageContaining("failed while verifying the new key upstream")
                .hasMessageContaining("HTTP 401 authentication_error")
                .hasMessageContaining("The old key is active")
                .hasMessageContaining("is revoked");

        assertThat(stateOf(old.id())).isEqualTo(ProviderKeyState.ACTIVE);
        assertThat(byFingerprint(next).state()).isEqualTo(ProviderKeyState.REVOKED);
        assertThat(f.keys.select("messages").orElseThrow().id()).isEqualTo(old.id());
        assertThat(f.events.ofType("provider_key.rotation_failed")).singleElement()
                .satisfies(e -> assertThat(e.alert()).isTrue());
    }

    @Test
    void whenUpstreamCannotVerifyTheNewKeyStaysPendingAndTheSameRotationCanBeRunAgain() {
        ProviderKeyRecord old = f.add("primary", 0);
        f.verdict = new KeyVerification.Unverifiable("upstream answered 529 (overloaded_error)");
        String next = f.newSecret();

        assertThatThrownBy(() -> f.rotation.rotate(old.id(), VaultFixture.bytes(next), "env:NEW_KEY"))
                .isInstanceOf(RotationException.class)
                .hasMessageContaining("529")
                .hasMessageContaining("run the same rotation again");
        ProviderKeyRecord pending = byFingerprint(next);
        assertThat(pending.state()).isEqualTo(ProviderKeyState.PENDING);
        assertThat(stateOf(old.id())).isEqualTo(ProviderKeyState.ACTIVE);

        f.verdict = new KeyVerification.Valid();
        KeyRotation.RotationResult again = f.rotation.rotate(old.id(), VaultFixture.bytes(next), "env:NEW_KEY");
        assertThat(again.replacement().id()).isEqualTo(pending.id());
        assertThat(stateOf(old.id())).isEqualTo(ProviderKeyState.REVOKED);
    }

    @Test
    void aRotationInterruptedWhileDrainingRollsBackToTheOldKeyActiveAndTheNewOnePending() throws Exception {
        ProviderKeyRecord old = f.add("primary", 0);
        ProviderKey oldKey = f.keys.select("messages").orElseThrow();
        ProviderKeys.InFlight stream = f.keys.track(oldKey, () -> { }); // a long stream keeps the old key draining
        String next = f.newSecret();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread rotating = Thread.ofPlatform().start(() -> {
            try {
                f.rotation.rotate(old.id(), VaultFixture.bytes(next), "env:NEW_KEY");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        while (stateOf(old.id()) != ProviderKeyState.DRAINING) {
            Thread.sleep(5);
        }
        rotating.interrupt();
        rotating.join(5_000);
        stream.close();

        assertThat(failure.get()).isInstanceOf(RotationException.class)
                .hasMessageContaining("waiting for calls in flight on the old key (interrupted)");
        assertThat(stateOf(old.id())).isEqualTo(ProviderKeyState.ACTIVE);
        assertThat(byFingerprint(next).state()).isEqualTo(ProviderKeyState.PENDING);
        assertThat(f.keys.select("messages").orElseThrow().id()).isEqualTo(old.id());
    }

    @Test
    void callsStillRunningAfterTheDrainTimeoutAreCutWhenTheOldKeyIsRevoked() {
        ProviderKeyRecord old = f.add("primary", 0);
        KeyRotation quick = f.keys.rotation(secret -> new KeyVerification.Valid(), Duration.ofMillis(100), Duration.ZERO);
        AtomicInteger cut = new AtomicInteger();
        f.keys.track(f.keys.select("messages").orElseThrow(), cut::incrementAndGet);

        KeyRotation.RotationResult result = quick.rotate(old.id(), VaultFixture.bytes(f.newSecret()), "env:NEW_KEY");

        assertThat(result.drainedCleanly()).isFalse();
        assertThat(result.callsCut()).isEqualTo(1);
        assertThat(cut).hasValue(1);
        assertThat(f.events.ofType("provider_key.drain_timeout")).singleElement()
                .satisfies(e -> assertThat(e.alert()).isTrue());
    }

    @Test
    void threadsSelectingWhileARotationRunsNeverGetNoKeyNorTheOldKeyOnceItIsDraining() throws Exception {
        ProviderKeyRecord old = f.add("primary", 0);
        AtomicLong drainingAt = new AtomicLong(Long.MAX_VALUE);
        RecordingEvents stamping = new RecordingEvents() {
            @Override
            public void record(SecurityEvent event) {
                if (event.type().equals("provider_key.draining")) {
                    drainingAt.set(System.nanoTime()); // the snapshot without the old key is already published
                }
                super.record(event);
            }
        };
        VaultProviderKeys gateway = VaultProviderKeys.builder(f.store, f.cipher).environment(KeyEnvironment.DEV)
                .events(stamping).noBackgroundRefresh().start();
        f.closeables.add(gateway);
        KeyRotation rotation = gateway.rotation(secret -> new KeyVerification.Valid(), Duration.ofSeconds(5), Duration.ZERO);
        String next = f.newSecret();

        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger selections = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(8);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                started.countDown();
                while (!stop.get()) {
                    long begin = System.nanoTime();
                    Optional<ProviderKey> key;
                    try {
                        key = gateway.select("messages");
                    } catch (RuntimeException e) {
                        problems.add("select threw " + e);
                        continue;
                    }
                    selections.incrementAndGet();
                    if (key.isEmpty()) {
                        problems.add("no key");
                        continue;
                    }
                    if (key.get().id().equals(old.id()) && begin > drainingAt.get()) {
                        problems.add("old key selected after it was set draining");
                    }
                    try (ProviderKeys.InFlight call = gateway.track(key.get(), () -> { })) {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        started.await();
        Thread.sleep(50);
        KeyRotation.RotationResult result = rotation.rotate(old.id(), VaultFixture.bytes(next), "env:NEW_KEY");
        Thread.sleep(50);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }

        assertThat(problems).isEmpty();
        assertThat(selections.get()).isGreaterThan(100);
        assertThat(result.drainedCleanly()).isTrue();
        assertThat(gateway.select("messages").orElseThrow().secret()).isEqualTo(next);
    }

    @Test
    void overdueFollowsTheEnvironmentPolicyOrTheRecordsOwnAndOnlyForActiveKeys() throws Exception {
        f.close();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        f = new VaultFixture(tmp.resolve("clocked"), clock);
        VaultProviderKeys staging = f.newKeys(KeyEnvironment.STAGING, clock);
        VaultProviderKeys prod = f.newKeys(KeyEnvironment.PROD, clock);
        KeyRotation rotation = f.keys.rotation(secret -> new KeyVerification.Valid(), Duration.ofSeconds(1), Duration.ZERO);
        ProviderKeyRecord dev = f.add("dev", KeyEnvironment.DEV, 0, KeyScope.ALL);
        ProviderKeyRecord stg = f.add("staging", KeyEnvironment.STAGING, 0, KeyScope.ALL);
        ProviderKeyRecord prd = f.add("prod", KeyEnvironment.PROD, 0, KeyScope.ALL);
        ProviderKeyRecord custom = rotation.add(VaultFixture.bytes(f.newSecret()),
                new NewProviderKey("custom", KeyEnvironment.DEV, KeyScope.ALL, 1, 10, "test"), false);
        ProviderKeyRecord gone = f.add("gone", KeyEnvironment.PROD, 1, KeyScope.ALL);
        prod.revokeNow(gone.id());

        clock.advance(Duration.ofDays(30));
        assertThat(rotation.overdue()).extracting(s -> s.key().id()).containsExactly(custom.id());

        clock.advance(Duration.ofDays(1));
        assertThat(rotation.overdue()).extracting(s -> s.key().id()).containsExactlyInAnyOrder(custom.id(), prd.id());

        clock.advance(Duration.ofDays(30));
        assertThat(rotation.overdue()).extracting(s -> s.key().id()).containsExactlyInAnyOrder(custom.id(), prd.id(), stg.id());

        clock.advance(Duration.ofDays(30));
        List<ProviderKeyStatus> all = rotation.list();
        assertThat(all).filteredOn(ProviderKeyStatus::overdue).extracting(s -> s.key().id())
                .containsExactlyInAnyOrder(custom.id(), prd.id(), stg.id(), dev.id());
        assertThat(all).filteredOn(s -> s.key().id().equals(gone.id())).singleElement()
                .satisfies(s -> assertThat(s.overdue()).isFalse());
        ProviderKeyStatus prodStatus = all.stream().filter(s -> s.key().id().equals(prd.id())).findFirst().orElseThrow();
        assertThat(prodStatus.dueAt()).isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
        assertThat(prodStatus.overdueWarning(clock.instant())).contains(prd.id(), prd.displayFingerprint(),
                "overdue for rotation by 61 day(s)", "policy 30 days", "keywarden keys rotate --from " + prd.id());
        staging.refresh();
        assertThat(staging.select("messages").orElseThrow().id()).isEqualTo(stg.id());
    }

    @Test
    void aRotatedInKeyIsDueAPolicyPeriodAfterItsRotationNotItsCreation() {
        ProviderKeyRecord old = f.add("primary", 0);
        KeyRotation.RotationResult r = f.rotation.rotate(old.id(), VaultFixture.bytes(f.newSecret()), "env:NEW");
        assertThat(RotationPolicy.dueAt(r.replacement()))
                .isEqualTo(Instant.ofEpochMilli(r.replacement().rotatedAt()).plus(Duration.ofDays(90)));
    }

    @Test
    void addingTheSameKeyTwiceIsAClearErrorNamingTheExistingRecordButNotTheKey() {
        ProviderKeyRecord first = f.add("primary", 0);
        String secret = f.secretOf(first);

        assertThatThrownBy(() -> f.rotation.add(VaultFixture.bytes(secret),
                new NewProviderKey("again", KeyEnvironment.DEV, KeyScope.ALL, 1, null, "test"), false))
                .isInstanceOf(DuplicateProviderKeyException.class)
                .hasMessageContaining(first.id())
                .hasMessageContaining(first.displayFingerprint())
                .hasMessageNotContaining(secret);
    }

    @Test
    void aValueThatIsNotShapedLikeAProviderKeyIsRefusedWithoutEchoingIt() {
        String notAKey = "sk-ant-api03-" + "x".repeat(30) + " \n";
        assertThatThrownBy(() -> f.rotation.add(VaultFixture.bytes(notAKey),
                new NewProviderKey("bad", KeyEnvironment.DEV, KeyScope.ALL, 0, null, "test"), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not look like an Anthropic API key")
                .hasMessageNotContaining("xxxx");
        assertThat(f.store.list()).isEmpty();
    }

    @Test
    void addingAKeyUpstreamRejectsStoresItRevokedAndRefusesTheAdd() {
        f.verdict = new KeyVerification.Rejected(403, "permission_error");
        String secret = f.newSecret();
        assertThatThrownBy(() -> f.rotation.add(VaultFixture.bytes(secret),
                new NewProviderKey("bad", KeyEnvironment.DEV, KeyScope.ALL, 0, null, "test"), true))
                .isInstanceOf(RotationException.class).hasMessageContaining("HTTP 403 permission_error");
        assertThat(byFingerprint(secret).state()).isEqualTo(ProviderKeyState.REVOKED);
        assertThat(f.keys.select("messages")).isEmpty();
    }

    @Test
    void gracefulRevokeDrainsFirstAndAnImmediateRevokeOfARevokedKeyIsAClearError() {
        ProviderKeyRecord a = f.add("a", 0);
        ProviderKeyRecord revoked = f.rotation.revoke(a.id(), false);
        assertThat(revoked.state()).isEqualTo(ProviderKeyState.REVOKED);
        assertThat(f.events.types()).containsSubsequence("provider_key.draining", "provider_key.drained", "provider_key.revoked");
        assertThatThrownBy(() -> f.rotation.revoke(a.id(), true)).isInstanceOf(ProviderKeyStateException.class)
                .hasMessageContaining("already revoked");
        assertThatThrownBy(() -> f.rotation.activate(a.id())).isInstanceOf(ProviderKeyStateException.class)
                .hasMessageContaining("never used again");
        assertThatThrownBy(() -> f.rotation.revoke("pk_nope", true)).isInstanceOf(ProviderKeyStateException.class)
                .hasMessageContaining("no provider key with id pk_nope");
    }

    @Test
    void noSecretAppearsInAnyEventRecordStatusOrErrorMessage() {
        List<String> texts = new ArrayList<>();
        ProviderKeyRecord a = f.add("a", 0);
        f.add("b", 1);
        f.verdict = new KeyVerification.Rejected(401, "authentication_error");
        try {
            f.rotation.rotate(a.id(), VaultFixture.bytes(f.newSecret()), "env:X");
        } catch (RuntimeException e) {
            texts.add(e.toString());
        }
        f.verdict = new KeyVerification.Unverifiable("down");
        try {
            f.rotation.rotate(a.id(), VaultFixture.bytes(f.newSecret()), "env:X");
        } catch (RuntimeException e) {
            texts.add(e.toString());
        }
        f.verdict = new KeyVerification.Valid();
        KeyRotation.RotationResult r = f.rotation.rotate(a.id(), VaultFixture.bytes(f.newSecret()), "env:X");
        texts.add(r.toString());
        ProviderKey selected = f.keys.select("messages").orElseThrow();
        f.keys.rejectedByUpstream(selected, 401);
        try {
            f.rotation.add(VaultFixture.bytes(f.secretOf(a)), new NewProviderKey("dup", KeyEnvironment.DEV, KeyScope.ALL, 0, null, "t"), false);
        } catch (RuntimeException e) {
            texts.add(e.toString());
        }
        f.rotation.list().forEach(s -> texts.add(s.toString()));
        f.store.list().forEach(k -> texts.add(k.toString() + k.sealed()));
        f.events.events.forEach(e -> texts.add(e.toString()));
        texts.add(f.keys.describe());

        assertThat(f.events.events).hasSizeGreaterThan(15);
        for (String text : texts) {
            for (String secret : f.secrets) {
                assertThat(text).doesNotContain(secret).doesNotContain(secret.substring(13, 40));
            }
        }
    }
}
