package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.KeyScope;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSealedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultProviderKeysTest {

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

    private ProviderKey select(String route) {
        return f.keys.select(route).orElseThrow();
    }

    @Test
    void selectReturnsTheFirstActiveKeyOfTheConfiguredEnvironmentByPriority() {
        f.add("prod-primary", KeyEnvironment.PROD, -1, KeyScope.ALL);
        ProviderKeyRecord backup = f.add("backup", 1);
        ProviderKeyRecord primary = f.add("primary", 0);

        ProviderKey chosen = select("messages");
        assertThat(chosen.id()).isEqualTo(primary.id());
        assertThat(chosen.secret()).isEqualTo(f.secretOf(primary));

        f.keys.revokeNow(primary.id());
        assertThat(select("messages").id()).isEqualTo(backup.id());
    }

    @Test
    void selectOnlyReturnsKeysWhoseScopeAllowsTheRoute() {
        ProviderKeyRecord messagesOnly = f.add("messages-only", KeyEnvironment.DEV, 0, KeyScope.ofRoutes("messages", "count_tokens"));
        ProviderKeyRecord models = f.add("models", KeyEnvironment.DEV, 1, KeyScope.ofRoutes("models"));

        assertThat(select("messages").id()).isEqualTo(messagesOnly.id());
        assertThat(select("models.list").id()).isEqualTo(models.id());
        assertThat(f.keys.select("batches.create")).isEmpty();
    }

    @Test
    void pendingDrainingRevokedAndCompromisedKeysAreNeverSelected() {
        ProviderKeyRecord draining = f.add("draining", 0);
        ProviderKeyRecord revoked = f.add("revoked", 1);
        ProviderKeyRecord compromised = f.add("compromised", 2);
        f.keys.drain(draining.id());
        f.keys.revokeNow(revoked.id());
        f.keys.markCompromised(compromised.id(), "found in a public repository");
        f.verdict = new KeyVerification.Unverifiable("upstream down");
        assertThatThrownBy(() -> f.rotation.add(VaultFixture.bytes(f.newSecret()),
                new NewProviderKey("pending", KeyEnvironment.DEV, KeyScope.ALL, -5, null, "test"), true))
                .isInstanceOf(RotationException.class).hasMessageContaining("kept as pending");

        assertThat(f.keys.select("messages")).isEmpty();
        assertThat(f.store.list()).extracting(ProviderKeyRecord::state).containsExactlyInAnyOrder(
                ProviderKeyState.PENDING, ProviderKeyState.DRAINING, ProviderKeyState.REVOKED, ProviderKeyState.COMPROMISED);
    }

    @Test
    void upstream401MarksTheKeyCompromisedRaisesOneAlertAndTheNextKeyIsSelected() throws Exception {
        ProviderKeyRecord a = f.add("a", 0);
        ProviderKeyRecord b = f.add("b", 1);
        ProviderKey keyA = select("messages");

        // many requests on A fail at once: one state change, one alert
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> f.keys.rejectedByUpstream(keyA, 401)));
        }
        for (Thread t : threads) {
            t.join();
        }

        assertThat(select("messages").id()).isEqualTo(b.id());
        assertThat(f.store.find(a.id()).orElseThrow().state()).isEqualTo(ProviderKeyState.COMPROMISED);
        List<SecurityEvent> alerts = f.events.ofType("provider_key.compromised");
        assertThat(alerts).hasSize(1);
        SecurityEvent alert = alerts.get(0);
        assertThat(alert.alert()).isTrue();
        assertThat(alert.subject()).isEqualTo(a.id());
        assertThat(alert.details()).containsEntry("fingerprint", a.displayFingerprint()).containsEntry("status", "401")
                .containsEntry("next_key", b.id() + " " + b.displayFingerprint());
    }

    @Test
    void upstream403KeepsTheKeyActiveAndIsRecordedWithoutAnAlert() {
        ProviderKeyRecord a = f.add("a", 0);
        f.add("b", 1);
        ProviderKey keyA = select("batches.get");

        f.keys.rejectedByUpstream(keyA, 403);
        f.keys.rejectedByUpstream(keyA, 403);

        assertThat(select("batches.get").id()).isEqualTo(a.id());
        assertThat(f.store.find(a.id()).orElseThrow().state()).isEqualTo(ProviderKeyState.ACTIVE);
        assertThat(f.events.ofType("provider_key.permission_denied")).hasSize(1)
                .allSatisfy(e -> assertThat(e.alert()).isFalse());
        assertThat(f.events.ofType("provider_key.compromised")).isEmpty();
    }

    @Test
    void revokeNowCutsEveryCallInFlightOnThatKeyAndNoOther() {
        ProviderKeyRecord a = f.add("a", 0);
        ProviderKeyRecord b = f.add("b", 1);
        ProviderKey keyA = select("messages");
        f.keys.drain(a.id());
        ProviderKey keyB = select("messages");
        f.keys.activate(a.id());
        AtomicInteger cutOnA = new AtomicInteger();
        AtomicInteger cutOnB = new AtomicInteger();
        f.keys.track(keyA, cutOnA::incrementAndGet);
        f.keys.track(keyA, cutOnA::incrementAndGet);
        ProviderKeys.InFlight finished = f.keys.track(keyA, cutOnA::incrementAndGet);
        finished.close();
        f.keys.track(keyB, cutOnB::incrementAndGet);

        ProviderKeyRecord revoked = f.keys.revokeNow(a.id());

        assertThat(revoked.state()).isEqualTo(ProviderKeyState.REVOKED);
        assertThat(cutOnA).hasValue(2);
        assertThat(cutOnB).hasValue(0);
        assertThat(select("messages").id()).isEqualTo(b.id());
        assertThat(f.events.ofType("provider_key.revoked")).singleElement()
                .satisfies(e -> assertThat(e.details()).containsEntry("in_flight_cut", "2"));
    }

    @Test
    void aCallRegisteredAfterItsKeyWasRevokedIsCutAtOnce() {
        ProviderKeyRecord a = f.add("a", 0);
        ProviderKey keyA = select("messages"); // selected just before the revoke...
        f.keys.revokeNow(a.id());
        AtomicInteger cut = new AtomicInteger();
        f.keys.track(keyA, cut::incrementAndGet); // ...and registered just after it
        assertThat(cut).hasValue(1);
    }

    @Test
    void drainStopsSelectionAndAwaitDrainedWaitsForTheCallsInFlight() throws Exception {
        ProviderKeyRecord a = f.add("a", 0);
        ProviderKeyRecord b = f.add("b", 1);
        ProviderKey keyA = select("messages");
        ProviderKeys.InFlight first = f.keys.track(keyA, () -> { });
        ProviderKeys.InFlight second = f.keys.track(keyA, () -> { });

        f.keys.drain(a.id());

        assertThat(select("messages").id()).isEqualTo(b.id());
        assertThat(f.keys.inFlight(a.id())).isEqualTo(2);
        assertThat(f.keys.awaitDrained(a.id(), Duration.ofMillis(50))).isFalse();
        first.close();
        Thread.ofVirtual().start(() -> {
            sleep(150);
            second.close();
        });
        long start = System.nanoTime();
        assertThat(f.keys.awaitDrained(a.id(), Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(f.keys.inFlight(a.id())).isZero();
    }

    @Test
    void keysAreDecryptedOncePerCacheLifetimeNotPerRequest() {
        f.add("a", 0);
        for (int i = 0; i < 1_000; i++) {
            select("messages");
        }
        assertThat(f.cipher.opens).hasValue(1);
    }

    @Test
    void aSealedVaultMakesSelectFailWithVaultSealedExceptionEvenForACachedKey() {
        f.add("a", 0);
        f.add("b", 1);
        VaultProviderKeys coldStart = f.newKeys(KeyEnvironment.DEV, Clock.systemUTC());
        select("messages"); // cached in f.keys
        f.cipher.sealed = true;
        assertThatThrownBy(() -> f.keys.select("messages")).isInstanceOf(VaultSealedException.class)
                .hasMessageContaining("sealed");
        assertThatThrownBy(() -> coldStart.select("messages")).isInstanceOf(VaultSealedException.class);
        assertThat(f.events.ofType("provider_key.unreadable")).isEmpty();
        f.cipher.sealed = false;
        assertThat(coldStart.select("messages")).isPresent();
    }

    @Test
    void aCiphertextMovedToAnotherRecordFailsToOpenRaisesAnAlertAndTheNextKeyServes() throws Exception {
        ProviderKeyRecord a = f.add("a", 0);
        ProviderKeyRecord b = f.add("b", 1);
        try (Connection c = f.db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE provider_keys SET ciphertext = "
                     + "(SELECT ciphertext FROM provider_keys WHERE id = ?) WHERE id = ?")) {
            ps.setString(1, b.id());
            ps.setString(2, a.id());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        VaultProviderKeys fresh = f.newKeys(KeyEnvironment.DEV, Clock.systemUTC());

        assertThat(fresh.select("messages").orElseThrow().id()).isEqualTo(b.id());
        assertThat(f.events.ofType("provider_key.unreadable")).singleElement()
                .satisfies(e -> assertThat(e.alert()).isTrue())
                .satisfies(e -> assertThat(e.subject()).isEqualTo(a.id()));

        fresh.revokeNow(b.id());
        assertThatThrownBy(() -> fresh.select("messages")).isInstanceOf(VaultException.class)
                .hasMessageContaining(a.id());
    }

    @Test
    void aChangeMadeByAnotherProcessIsPickedUpWithinTheRefreshIntervalAndCutsCallsOnARevokedKey() throws Exception {
        ProviderKeyRecord a = f.add("a", 0);
        ProviderKeyRecord b = f.add("b", 1);
        VaultProviderKeys gateway = VaultProviderKeys.builder(f.store, f.cipher).environment(KeyEnvironment.DEV)
                .events(f.events).refreshInterval(Duration.ofMillis(100)).start();
        f.closeables.add(gateway);
        ProviderKey keyA = gateway.select("messages").orElseThrow();
        CountDownLatch cut = new CountDownLatch(1);
        gateway.track(keyA, cut::countDown);

        VaultProviderKeys cli = f.newKeys(KeyEnvironment.DEV, Clock.systemUTC());
        cli.revokeNow(a.id());

        assertThat(cut.await(3, TimeUnit.SECONDS)).isTrue();
        assertThat(gateway.select("messages").orElseThrow().id()).isEqualTo(b.id());
    }

    @Test
    void lastUseIsRecordedInTheStoreInBatchesNotPerRequest() {
        ProviderKeyRecord a = f.add("a", 0);
        for (int i = 0; i < 100; i++) {
            select("messages");
        }
        assertThat(f.store.find(a.id()).orElseThrow().lastUsedAt()).isNull();
        assertThat(f.keys.flushLastUsed()).isEqualTo(1);
        assertThat(f.store.find(a.id()).orElseThrow().lastUsedAt()).isNotNull();
        assertThat(f.keys.flushLastUsed()).isZero();
    }

    @Test
    void theDatabaseFileNeverContainsAStoredKeyInPlaintext() throws Exception {
        for (int i = 0; i < 5; i++) {
            f.add("k" + i, i);
        }
        select("messages");
        f.keys.flushLastUsed();
        List<String> secrets = List.copyOf(f.secrets);
        f.close();
        f = new VaultFixture(tmp.resolve("other"));

        List<Path> files;
        try (Stream<Path> s = Files.list(tmp.resolve("data"))) {
            files = s.toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String secret : secrets) {
                assertThat(bytes).as("plaintext key in %s", file.getFileName()).doesNotContain(secret)
                        .doesNotContain(secret.substring(20, 60));
            }
        }
    }

    @Test
    void describeAndToStringNameKeysByFingerprintOnly() {
        ProviderKeyRecord a = f.add("a", 0);
        String secret = f.secretOf(a);
        assertThat(f.keys.describe()).contains(a.id(), a.displayFingerprint()).doesNotContain(secret);
        assertThat(f.keys.toString()).doesNotContain(secret);
        assertThat(a.toString()).contains(a.displayFingerprint()).doesNotContain(secret);
        assertThat(a.displayFingerprint()).startsWith("sk-ant-api03-…").endsWith(secret.substring(secret.length() - 4));
        assertThat(select("messages").toString()).doesNotContain(secret);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
