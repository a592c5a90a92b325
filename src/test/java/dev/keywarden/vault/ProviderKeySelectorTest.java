package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.KeyScope;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.store.SealedColumns;
import dev.keywarden.testing.MutableClock;
import dev.keywarden.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The request-path part of the vault on its own: key lists built in memory, no store, no background thread. */
class ProviderKeySelectorTest {

    static final Duration TTL = Duration.ofMinutes(5);

    final TestCipher cipher = new TestCipher();
    final RecordingEvents recorded = new RecordingEvents();
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    final AtomicLong tickerNanos = new AtomicLong();
    final List<Map<String, Long>> lastUseWrites = new ArrayList<>();
    final LastUseLog uses = new LastUseLog(clock, lastUseWrites::add);
    final ProviderKeySelector selector = new ProviderKeySelector(cipher, KeyEnvironment.DEV,
            new KeyEvents(recorded, clock), uses, TTL, tickerNanos::get);
    final Map<String, String> secrets = new HashMap<>();
    int created;

    /** An active key sealed by the test cipher, created after every key made before it. */
    ProviderKeyRecord key(String id, int priority, KeyScope scope) {
        String secret = TestKeys.canaryProviderKey();
        secrets.put(id, secret);
        byte[] plain = secret.getBytes(StandardCharsets.UTF_8);
        SealedColumns sealed = SealedColumnMapper.toColumns(cipher.seal(id, plain));
        long at = 1_000L + created++;
        return new ProviderKeyRecord(id, id, KeyEnvironment.DEV, scope, ProviderKey.fingerprintOf(secret),
                ProviderKeyIds.sha256Hex(plain), ProviderKeyState.ACTIVE, priority, at, null, null, at, null, sealed, "test");
    }

    ProviderKeyRecord key(String id, int priority) {
        return key(id, priority, KeyScope.ALL);
    }

    /** Publishes keys in the store's order: priority, then oldest first. */
    void publish(ProviderKeyRecord... keys) {
        List<ProviderKeyRecord> ordered = new ArrayList<>(List.of(keys));
        ordered.sort((a, b) -> a.priority() != b.priority() ? Integer.compare(a.priority(), b.priority())
                : Long.compare(a.createdAt(), b.createdAt()));
        selector.publish(ordered);
    }

    String selected(String route) {
        return selector.select(route).orElseThrow().id();
    }

    @Test
    void theFirstKeyOfTheListWhoseScopeAllowsTheRouteServesAndItsSecretIsTheOneSealed() {
        ProviderKeyRecord primary = key("pk_primary", 0, KeyScope.ofRoutes("messages"));
        ProviderKeyRecord older = key("pk_older", 5);
        ProviderKeyRecord newer = key("pk_newer", 5);
        publish(newer, primary, older);

        ProviderKey chosen = selector.select("messages").orElseThrow();
        assertThat(chosen.id()).isEqualTo(primary.id());
        assertThat(chosen.secret()).isEqualTo(secrets.get(primary.id()));
        assertThat(selected("models.list")).isEqualTo(older.id());
    }

    @Test
    void noKeyIsSelectedWhenNoActiveKeyAllowsTheRoute() {
        publish(key("pk_a", 0, KeyScope.ofRoutes("messages")));
        assertThat(selector.select("batches.create")).isEmpty();

        selector.publish(List.of());
        assertThat(selector.select("messages")).isEmpty();
    }

    @Test
    void onlyActiveKeysAreSelectedWhateverTheirPriority() {
        ProviderKeyRecord active = key("pk_active", 9);
        List<ProviderKeyRecord> others = new ArrayList<>();
        for (ProviderKeyState state : List.of(ProviderKeyState.PENDING, ProviderKeyState.DRAINING,
                ProviderKeyState.REVOKED, ProviderKeyState.COMPROMISED)) {
            others.add(key("pk_" + state.id(), 0).withState(state, 2_000L));
        }
        List<ProviderKeyRecord> list = new ArrayList<>(others);
        list.add(active);
        selector.publish(list);

        assertThat(selected("messages")).isEqualTo(active.id());
        assertThat(selector.keys().active).extracting(ProviderKeyRecord::id).containsExactly(active.id());
    }

    @Test
    void aDistrustedKeyIsSkippedAtOnceAndTheBackupServes() {
        ProviderKeyRecord primary = key("pk_primary", 0);
        ProviderKeyRecord backup = key("pk_backup", 1);
        publish(primary, backup);
        assertThat(selected("messages")).isEqualTo(primary.id());

        assertThat(selector.distrust(primary.id())).isTrue();
        assertThat(selector.distrust(primary.id())).as("second report of the same key").isFalse();

        assertThat(selected("messages")).isEqualTo(backup.id());
        assertThat(selector.firstTrusted()).hasValueSatisfying(k -> assertThat(k.id()).isEqualTo(backup.id()));
        selector.distrust(backup.id());
        assertThat(selector.select("messages")).isEmpty();
        assertThat(selector.firstTrusted()).isEmpty();
    }

    @Test
    void aRecordThatDoesNotOpenRaisesOneAlertAMinuteAndTheNextKeyServes() {
        ProviderKeyRecord good = key("pk_good", 1);
        ProviderKeyRecord moved = key("pk_moved", 0);
        // the ciphertext of another record: bound to that record's id, so it fails to open here
        ProviderKeyRecord broken = new ProviderKeyRecord(moved.id(), moved.label(), moved.environment(), moved.scope(),
                moved.displayFingerprint(), moved.sha256Fingerprint(), moved.state(), moved.priority(), moved.createdAt(),
                null, null, moved.stateChangedAt(), null, good.sealed(), moved.source());
        publish(broken, good);

        assertThat(selected("messages")).isEqualTo(good.id());
        selector.forgetDecrypted();
        assertThat(selected("messages")).isEqualTo(good.id());
        assertThat(recorded.ofType("provider_key.unreadable")).singleElement()
                .satisfies(e -> assertThat(e.alert()).isTrue())
                .satisfies(e -> assertThat(e.subject()).isEqualTo(moved.id()))
                .satisfies(e -> assertThat(e.details().toString()).doesNotContain(secrets.get(good.id())));

        clock.advance(KeyEvents.THROTTLE);
        assertThat(selected("messages")).isEqualTo(good.id());
        assertThat(recorded.ofType("provider_key.unreadable")).hasSize(2);
    }

    @Test
    void whenNoKeyOpensTheFirstFailureIsThrownNamingTheRecordNotTheKey() {
        ProviderKeyRecord a = key("pk_a", 0);
        ProviderKeyRecord b = key("pk_b", 1);
        ProviderKeyRecord aWithForeignCiphertext = withSealed(a, b.sealed());
        ProviderKeyRecord bWithForeignCiphertext = withSealed(b, a.sealed());
        publish(aWithForeignCiphertext, bWithForeignCiphertext);

        assertThatThrownBy(() -> selector.select("messages")).isInstanceOf(dev.keywarden.vault.crypto.VaultException.class)
                .hasMessageContaining(a.id())
                .hasMessageNotContaining(secrets.get(a.id())).hasMessageNotContaining(secrets.get(b.id()));
    }

    @Test
    void aRecordWhoseSecretDoesNotMatchItsFingerprintIsNotUsed() {
        ProviderKeyRecord honest = key("pk_honest", 1);
        ProviderKeyRecord tampered = key("pk_tampered", 0);
        ProviderKeyRecord lying = new ProviderKeyRecord(tampered.id(), tampered.label(), tampered.environment(),
                tampered.scope(), tampered.displayFingerprint(), honest.sha256Fingerprint(), tampered.state(),
                tampered.priority(), tampered.createdAt(), null, null, tampered.stateChangedAt(), null, tampered.sealed(),
                tampered.source());
        publish(lying, honest);

        assertThat(selected("messages")).isEqualTo(honest.id());
        assertThat(recorded.ofType("provider_key.unreadable")).singleElement()
                .satisfies(e -> assertThat(e.details().get("reason")).contains("SHA-256 does not match"));
    }

    @Test
    void aKeyIsDecryptedOncePerCacheLifetimeAndAgainAfterIt() {
        publish(key("pk_a", 0));
        for (int i = 0; i < 100; i++) {
            selected("messages");
        }
        assertThat(cipher.opens).hasValue(1);

        tickerNanos.addAndGet(TTL.minusSeconds(1).toNanos());
        selected("messages");
        assertThat(cipher.opens).hasValue(1);

        tickerNanos.addAndGet(Duration.ofSeconds(2).toNanos());
        selected("messages");
        assertThat(cipher.opens).hasValue(2);
    }

    @Test
    void aKeyThatLeavesTheActiveListLosesItsDecryptedCopy() {
        ProviderKeyRecord a = key("pk_a", 0);
        publish(a);
        selected("messages");
        selector.publish(List.of(a.withState(ProviderKeyState.DRAINING, 2_000L)));
        selector.publish(List.of(a));

        selected("messages");
        assertThat(cipher.opens).hasValue(2);
    }

    @Test
    void aSealedCipherRefusesSelectionEvenForACachedKeyWithoutAnUnreadableAlert() {
        publish(key("pk_a", 0));
        selected("messages");
        cipher.sealed = true;

        assertThatThrownBy(() -> selector.select("messages"))
                .isInstanceOf(dev.keywarden.vault.crypto.VaultSealedException.class).hasMessageContaining("sealed");
        assertThat(recorded.events).extracting(SecurityEvent::type).doesNotContain("provider_key.unreadable");
        cipher.sealed = false;
        assertThat(selector.select("messages")).isPresent();
    }

    @Test
    void aSelectionNotesTheKeysUseAtMostOncePerSecond() {
        ProviderKeyRecord a = key("pk_a", 0);
        publish(a);

        selected("messages");
        clock.advance(Duration.ofMillis(999));
        selected("messages");
        assertThat(lastUseWrites).as("nothing written per request").isEmpty();
        assertThat(uses.flush()).isEqualTo(1);
        assertThat(lastUseWrites).containsExactly(Map.of(a.id(), Instant.parse("2026-03-01T10:00:00Z").toEpochMilli()));

        clock.advance(Duration.ofMillis(1));
        selected("messages");
        assertThat(uses.flush()).isEqualTo(1);
        assertThat(lastUseWrites.get(1)).containsExactly(Map.entry(a.id(), clock.millis()));
        assertThat(uses.flush()).isZero();
    }

    @Test
    void describeNamesActiveKeysByFingerprintOnly() {
        ProviderKeyRecord a = key("pk_a", 0, KeyScope.ofRoutes("messages"));
        publish(a);
        assertThat(selector.describe()).contains(a.id(), a.displayFingerprint(), "priority 0", "scope messages")
                .doesNotContain(secrets.get(a.id()));
        selector.publish(List.of());
        assertThat(selector.describe()).isEqualTo("vault: no active provider key for environment dev");
    }

    private static ProviderKeyRecord withSealed(ProviderKeyRecord r, SealedColumns sealed) {
        return new ProviderKeyRecord(r.id(), r.label(), r.environment(), r.scope(), r.displayFingerprint(),
                r.sha256Fingerprint(), r.state(), r.priority(), r.createdAt(), null, null, r.stateChangedAt(), null, sealed,
                r.source());
    }
}
