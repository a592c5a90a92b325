package dev.keywarden.auth;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keywarden.config.ConfigException;
import dev.keywarden.store.Database;
import dev.keywarden.store.SettingsStore;
import dev.keywarden.store.StoreException;
import dev.keywarden.store.VirtualKeyRecord;
import dev.keywarden.store.VirtualKeyStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtualKeyServiceTest {

    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    @TempDir
    Path dataDir;
    final List<AutoCloseable> toClose = new ArrayList<>();
    final MutableClock clock = new MutableClock(T0);
    final AtomicLong tickerNanos = new AtomicLong();
    Database db;
    ServerSecret secret;
    VirtualKeyStore store;
    VirtualKeyService service;

    @BeforeEach
    void open() {
        db = track(Database.openSqlite(dataDir));
        secret = ServerSecret.loadOrCreate(dataDir);
        store = new VirtualKeyStore(db);
        service = newService(db, tickerNanos::get, null);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        toClose.add(resource);
        return resource;
    }

    private VirtualKeyService newService(Database database, Ticker ticker, Duration flushInterval) {
        return track(new VirtualKeyService(new VirtualKeyStore(database), new SettingsStore(database), secret, clock,
                ticker, VirtualKeyService.DEFAULT_CACHE_TTL, flushInterval));
    }

    private static AuthOutcome rejected(String message) {
        return new AuthOutcome.Rejected(message, AuthOutcome.Kind.UNKNOWN);
    }

    /** A refusal of a key the gateway issued: not counted toward the address lockout. */
    private static AuthOutcome unusable(String message) {
        return new AuthOutcome.Rejected(message, AuthOutcome.Kind.UNUSABLE);
    }

    // --- authenticate -------------------------------------------------------------------------

    @Test
    void createdKeyAuthenticatesAsItsIdIdentityPrefixAndName() {
        CreatedVirtualKey created = service.create("mobile-app");

        assertThat(service.authenticate(created.key())).isEqualTo(new AuthOutcome.Authenticated(
                new ClientIdentity("virtual_key", created.id(), created.prefix(), "mobile-app")));
        assertThat(created.prefix()).isEqualTo(VirtualKeyFormat.displayPrefix(created.key()));
        assertThat(created.createdAt()).isEqualTo(T0);
        assertThat(created.id()).startsWith("vk_");
    }

    @Test
    void surroundingWhitespaceIsTrimmed() {
        CreatedVirtualKey created = service.create("app");
        assertThat(service.authenticate("  " + created.key() + "\r\n")).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void missingCredentialIsRefusedWithMessageSayingWhereToSendIt() {
        String message = "missing credential: send your Keywarden virtual key in the x-api-key header or as"
                + " Authorization: Bearer <key>";
        assertThat(service.authenticate(null)).isEqualTo(rejected(message));
        assertThat(service.authenticate("")).isEqualTo(rejected(message));
        assertThat(service.authenticate(" \t ")).isEqualTo(rejected(message));
    }

    @Test
    void anthropicKeyIsRefusedWithMessageSayingTheProviderKeyStaysOnTheServer() {
        assertThat(service.authenticate("sk-ant-fake-key-for-tests-only")).isEqualTo(rejected(
                "an Anthropic API key was sent; clients must use a Keywarden virtual key, the provider key stays on the server"));
    }

    @Test
    void unknownWellFormedKeyIsInvalid() {
        service.create("someone");
        assertThat(service.authenticate(VirtualKeyFormat.generate())).isEqualTo(rejected("invalid virtual key"));
    }

    @Test
    void malformedOrBadChecksumKeyIsInvalidWithoutTouchingTheStore() {
        String key = service.create("app").key();
        String badChecksum = key.substring(0, 40) + (key.charAt(40) == 'a' ? 'b' : 'a');
        db.close(); // any store access would now throw

        assertThat(service.authenticate("kw_short")).isEqualTo(rejected("invalid virtual key"));
        assertThat(service.authenticate(badChecksum)).isEqualTo(rejected("invalid virtual key"));
        assertThat(service.authenticate("Bearer " + key)).isEqualTo(rejected("invalid virtual key"));
        String wellFormedUnknown = VirtualKeyFormat.generate();
        assertThatThrownBy(() -> service.authenticate(wellFormedUnknown))
                .as("a well-formed key does reach the (closed) store, so the cases above really skipped it")
                .isInstanceOf(StoreException.class)
                .hasMessageNotContaining(wellFormedUnknown);
    }

    @Test
    void rejectionMessagesNeverEchoThePresentedValue() {
        String key = service.create("app").key();
        service.revoke(VirtualKeyFormat.displayPrefix(key));
        String[] presented = {key, VirtualKeyFormat.generate(), "kw_garbage", "sk-ant-fake-key-for-tests-only"};
        for (String value : presented) {
            AuthOutcome outcome = service.authenticate(value);
            assertThat(outcome).isInstanceOf(AuthOutcome.Rejected.class);
            assertThat(((AuthOutcome.Rejected) outcome).message()).doesNotContain(value);
        }
    }

    // --- revoke -------------------------------------------------------------------------------

    @Test
    void revokedKeyIsRefusedWithMessageSayingSoAtOnceEvenWhenCached() {
        CreatedVirtualKey created = service.create("app");
        assertThat(service.authenticate(created.key())).isInstanceOf(AuthOutcome.Authenticated.class); // now cached

        assertThat(service.revoke(created.id())).isTrue();

        assertThat(service.authenticate(created.key())).isEqualTo(unusable("this virtual key was revoked"));
    }

    @Test
    void revokeAcceptsIdPrefixOrTheFullKey() {
        CreatedVirtualKey byId = service.create("a");
        CreatedVirtualKey byPrefix = service.create("b");
        CreatedVirtualKey byKey = service.create("c");
        CreatedVirtualKey untouched = service.create("d");

        assertThat(service.revoke(byId.id())).isTrue();
        assertThat(service.revoke(" " + byPrefix.prefix() + " ")).isTrue();
        assertThat(service.revoke(byKey.key())).isTrue();

        assertThat(service.list()).extracting(VirtualKeyInfo::name, VirtualKeyInfo::state)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("a", "revoked"),
                        org.assertj.core.groups.Tuple.tuple("b", "revoked"),
                        org.assertj.core.groups.Tuple.tuple("c", "revoked"),
                        org.assertj.core.groups.Tuple.tuple("d", "active"));
        assertThat(service.authenticate(untouched.key())).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void revokingAnUnknownKeyReportsFalseAndABlankArgumentIsRefused() {
        service.create("a");
        assertThat(service.revoke("vk_doesnotexist")).isFalse();
        assertThat(service.revoke("kw_00000000")).isFalse();
        assertThat(service.revoke(VirtualKeyFormat.generate())).isFalse();
        assertThatThrownBy(() -> service.revoke("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id").hasMessageContaining("prefix");
    }

    @Test
    void revokingTwiceKeepsTheFirstRevocationTime() {
        CreatedVirtualKey created = service.create("a");
        service.revoke(created.id());
        clock.advance(Duration.ofHours(1));
        assertThat(service.revoke(created.id())).isTrue();
        assertThat(service.list().getFirst().revokedAt()).isEqualTo(T0);
    }

    @Test
    void prefixMatchingSeveralKeysIsRefusedAskingForTheId() {
        CreatedVirtualKey created = service.create("a");
        store.insert(new VirtualKeyRecord("vk_twin", "twin", created.prefix(), "ab".repeat(32), 1L, null, null));

        assertThatThrownBy(() -> service.revoke(created.prefix()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matches 2 virtual keys")
                .hasMessageContaining("revoke by id");
        assertThat(service.authenticate(created.key())).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void revokeByNameRevokesEveryActiveKeyWithThatName() {
        CreatedVirtualKey first = service.create("ci-runner");
        CreatedVirtualKey second = service.create("ci-runner");
        CreatedVirtualKey other = service.create("ci-runner-2");
        service.authenticate(first.key());

        assertThat(service.revokeByName("ci-runner")).isEqualTo(2);
        assertThat(service.revokeByName("ci-runner")).isZero();

        assertThat(service.authenticate(first.key())).isEqualTo(unusable("this virtual key was revoked"));
        assertThat(service.authenticate(second.key())).isEqualTo(unusable("this virtual key was revoked"));
        assertThat(service.authenticate(other.key())).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void revokeInAnotherProcessTakesEffectWithinTheCacheTtl() {
        assertThat(VirtualKeyService.DEFAULT_CACHE_TTL).isLessThanOrEqualTo(Duration.ofSeconds(5));
        CreatedVirtualKey created = service.create("app");
        Database otherDb = track(Database.openSqlite(dataDir)); // a second pool on the same file, as another process
        VirtualKeyService other = newService(otherDb, Ticker.systemTicker(), null);

        assertThat(service.authenticate(created.key())).isInstanceOf(AuthOutcome.Authenticated.class); // cached here
        assertThat(other.revoke(created.prefix())).isTrue();

        tickerNanos.addAndGet(VirtualKeyService.DEFAULT_CACHE_TTL.toNanos() - 1_000_000);
        assertThat(service.authenticate(created.key()))
                .as("still served from this process's cache just inside the TTL")
                .isInstanceOf(AuthOutcome.Authenticated.class);
        tickerNanos.addAndGet(2_000_000);
        assertThat(service.authenticate(created.key())).isEqualTo(unusable("this virtual key was revoked"));
    }

    @Test
    void keyCreatedByAnotherProcessIsAcceptedStraightAway() {
        Database otherDb = track(Database.openSqlite(dataDir));
        VirtualKeyService other = newService(otherDb, Ticker.systemTicker(), null);
        CreatedVirtualKey created = other.create("from-the-cli");
        assertThat(service.authenticate(created.key())).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    // --- last used ----------------------------------------------------------------------------

    @Test
    void lastUsedIsKeptInMemoryUntilFlushed() {
        CreatedVirtualKey created = service.create("app");
        clock.advance(Duration.ofMinutes(3));
        Instant usedAt = clock.instant();

        service.authenticate(created.key());
        service.authenticate(created.key());
        assertThat(store.findById(created.id()).orElseThrow().lastUsedAt())
                .as("no database write per request").isNull();

        assertThat(service.flushLastUsed()).isEqualTo(1);
        assertThat(store.findById(created.id()).orElseThrow().lastUsedAt()).isEqualTo(usedAt.toEpochMilli());
        assertThat(service.flushLastUsed()).isZero();
    }

    @Test
    void closeFlushesPendingLastUsedTimes() {
        CreatedVirtualKey created = service.create("app");
        clock.advance(Duration.ofSeconds(42));
        service.authenticate(created.key());

        service.close();

        assertThat(store.findById(created.id()).orElseThrow().lastUsedAt()).isEqualTo(clock.millis());
    }

    @Test
    void backgroundFlushRecordsLastUsedWithoutBeingAsked() throws Exception {
        VirtualKeyService flushing = newService(db, tickerNanos::get, Duration.ofMillis(50));
        CreatedVirtualKey created = flushing.create("app");
        flushing.authenticate(created.key());

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.findById(created.id()).orElseThrow().lastUsedAt() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(store.findById(created.id()).orElseThrow().lastUsedAt()).isEqualTo(T0.toEpochMilli());
    }

    @Test
    void listShowsLastUsedRecordedInThisProcess() {
        CreatedVirtualKey created = service.create("app");
        clock.advance(Duration.ofSeconds(5));
        service.authenticate(created.key());

        VirtualKeyInfo info = service.list().getFirst();
        assertThat(info).isEqualTo(new VirtualKeyInfo("app", created.id(), created.prefix(), T0, T0.plusSeconds(5), null));
        assertThat(info.state()).isEqualTo("active");
    }

    @Test
    void revokedKeyUseIsNotRecordedAsLastUsed() {
        CreatedVirtualKey created = service.create("app");
        service.revoke(created.id());
        service.authenticate(created.key());
        assertThat(service.flushLastUsed()).isZero();
    }

    // --- storage ------------------------------------------------------------------------------

    @Test
    void databaseFilesNeverContainThePlaintextKey() throws Exception {
        List<CreatedVirtualKey> created = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            created.add(service.create("user-" + i));
        }
        for (CreatedVirtualKey key : created) {
            service.authenticate(key.key());
        }
        service.revoke(created.getFirst().id());
        service.close();

        String everything = readAllFiles(dataDir);
        assertThat(everything).as("the grep works: display prefixes are stored").contains(created.get(5).prefix());
        for (CreatedVirtualKey key : created) {
            assertThat(everything).doesNotContain(key.key());
            assertThat(everything).as("the secret part after the display prefix")
                    .doesNotContain(key.key().substring(VirtualKeyFormat.DISPLAY_PREFIX_LENGTH));
            assertThat(everything).doesNotContain(key.key().substring(VirtualKeyFormat.DISPLAY_PREFIX_LENGTH, 30));
        }
        db.close();
        String afterCheckpoint = readAllFiles(dataDir);
        for (CreatedVirtualKey key : created) {
            assertThat(afterCheckpoint).doesNotContain(key.key().substring(VirtualKeyFormat.DISPLAY_PREFIX_LENGTH));
        }
    }

    private static String readAllFiles(Path dir) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        return all.toString();
    }

    @Test
    void createdKeyToStringHidesTheKey() {
        CreatedVirtualKey created = service.create("app");
        assertThat(created.toString()).doesNotContain(created.key()).contains(created.id()).contains(created.prefix());
    }

    @Test
    void namesMustSayWhoTheKeyIsForInOneLine() {
        assertThatThrownBy(() -> service.create(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> service.create("two\nlines")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> service.create("x".repeat(101))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 100");
        assertThat(service.create("  padded  ").key()).satisfies(key ->
                assertThat(service.list()).extracting(VirtualKeyInfo::name).containsExactly("padded"));
    }

    @Test
    void databaseSetUpWithAnotherServerSecretIsRefusedWithAClearMessage() {
        byte[] other = new byte[32];
        Arrays.fill(other, (byte) 9);
        ServerSecret otherSecret = ServerSecret.fromBase64(Base64.getEncoder().encodeToString(other));
        assertThatThrownBy(() -> VirtualKeyService.open(db, otherSecret))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server secret")
                .hasMessageContaining("KEYWARDEN_SERVER_SECRET");
        VirtualKeyService.open(db, secret).close(); // the original secret is still accepted
    }

    // --- expiry and rotation -------------------------------------------------------------------

    @Test
    void aKeyWithAnExpiryWorksUntilThenIsRefusedSayingItExpired() {
        CreatedVirtualKey created = service.create("contractor", null, Duration.ofDays(30));
        assertThat(created.expiresAt()).isEqualTo(T0.plus(Duration.ofDays(30)));
        clock.advance(Duration.ofDays(30).minusSeconds(1));
        assertThat(service.authenticate(created.key())).isInstanceOf(AuthOutcome.Authenticated.class);

        clock.advance(Duration.ofSeconds(1));

        assertThat(service.authenticate(created.key())).isEqualTo(unusable(
                "this virtual key expired at " + T0.plus(Duration.ofDays(30)) + "; ask the operator for a new one"));
        assertThat(service.list().getFirst().state(clock.instant())).isEqualTo("expired");
        assertThat(service.list().getFirst().expiresAt()).isEqualTo(T0.plus(Duration.ofDays(30)));
    }

    @Test
    void anExpiryMustBeInTheFuture() {
        assertThatThrownBy(() -> service.create("x", null, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("future");
    }

    @Test
    void rotationGivesANewSecretAndTheOldOneWorksUntilTheGracePeriodEnds() {
        CreatedVirtualKey original = service.create("billing-service");

        CreatedVirtualKey rotated = service.rotate(original.id(), Duration.ofHours(24));

        assertThat(rotated.id()).isEqualTo(original.id());
        assertThat(rotated.key()).isNotEqualTo(original.key());
        assertThat(rotated.prefix()).isEqualTo(VirtualKeyFormat.displayPrefix(rotated.key()));
        assertThat(rotated.previousValidUntil()).isEqualTo(T0.plus(Duration.ofHours(24)));
        assertThat(service.authenticate(rotated.key())).isInstanceOf(AuthOutcome.Authenticated.class);
        AuthOutcome old = service.authenticate(original.key());
        assertThat(old).isInstanceOf(AuthOutcome.Authenticated.class);
        assertThat(((AuthOutcome.Authenticated) old).identity().credentialId()).isEqualTo(original.id());
        assertThat(service.list()).singleElement().satisfies(k -> {
            assertThat(k.prefix()).isEqualTo(rotated.prefix());
            assertThat(k.inRotationGrace(clock.instant())).isTrue();
        });

        clock.advance(Duration.ofHours(24));

        assertThat(service.authenticate(original.key())).isEqualTo(unusable("this virtual key was replaced by a rotation and"
                + " its grace period ended at " + T0.plus(Duration.ofHours(24)) + "; use the new key"));
        assertThat(service.authenticate(rotated.key())).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void aRotationWithoutGraceRefusesTheOldSecretAtOnceAndASecondRotationDropsTheFirstSecret() {
        CreatedVirtualKey first = service.create("svc");
        CreatedVirtualKey second = service.rotate(first.prefix(), Duration.ofHours(1));
        assertThat(service.authenticate(first.key())).isInstanceOf(AuthOutcome.Authenticated.class);

        CreatedVirtualKey third = service.rotate(first.id(), Duration.ZERO);

        assertThat(service.authenticate(first.key())).isEqualTo(rejected("invalid virtual key"));
        assertThat(service.authenticate(second.key())).isInstanceOf(AuthOutcome.Rejected.class);
        assertThat(service.authenticate(third.key())).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void aRotationSeenByAnotherProcessAppliesAfterItsCacheExpires() {
        CreatedVirtualKey original = service.create("shared");
        VirtualKeyService other = newService(db, tickerNanos::get, null);
        assertThat(other.authenticate(original.key())).isInstanceOf(AuthOutcome.Authenticated.class);

        CreatedVirtualKey rotated = service.rotate(original.id(), Duration.ZERO);
        tickerNanos.addAndGet(VirtualKeyService.DEFAULT_CACHE_TTL.toNanos() + 1);

        assertThat(other.authenticate(original.key())).isInstanceOf(AuthOutcome.Rejected.class);
        assertThat(other.authenticate(rotated.key())).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void revokingARotatedKeyRefusesBothItsSecrets() {
        CreatedVirtualKey original = service.create("svc");
        CreatedVirtualKey rotated = service.rotate(original.id(), Duration.ofDays(1));

        assertThat(service.revoke(original.id())).isTrue();

        assertThat(service.authenticate(original.key())).isEqualTo(unusable("this virtual key was revoked"));
        assertThat(service.authenticate(rotated.key())).isEqualTo(unusable("this virtual key was revoked"));
    }

    @Test
    void revokedExpiredOrUnknownKeysCannotBeRotated() {
        CreatedVirtualKey revoked = service.create("gone");
        service.revoke(revoked.id());
        CreatedVirtualKey expiring = service.create("brief", null, Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2));

        assertThatThrownBy(() -> service.rotate(revoked.id(), Duration.ZERO)).hasMessageContaining("revoked");
        assertThatThrownBy(() -> service.rotate(expiring.id(), Duration.ZERO)).hasMessageContaining("expired");
        assertThatThrownBy(() -> service.rotate("vk_nosuchkey", Duration.ZERO)).isInstanceOf(VirtualKeyService.NoSuchKeyException.class);
        String unknownKey = VirtualKeyFormat.generate();
        assertThatThrownBy(() -> service.rotate(unknownKey, Duration.ZERO))
                .hasMessageNotContaining(unknownKey.substring(VirtualKeyFormat.DISPLAY_PREFIX_LENGTH));
    }

    @Test
    void unusedDaysCountFromTheLastUseOrFromCreation() {
        CreatedVirtualKey used = service.create("used");
        service.create("idle");
        clock.advance(Duration.ofDays(10));
        service.authenticate(used.key());
        service.flushLastUsed();
        clock.advance(Duration.ofDays(35));

        assertThat(service.list()).extracting(VirtualKeyInfo::name, k -> k.unusedDays(clock.instant()))
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("used", 35L), org.assertj.core.groups.Tuple.tuple("idle", 45L));
    }

    /** A clock tests move by hand. */
}
