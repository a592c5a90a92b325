package dev.keywarden.vault;

import dev.keywarden.store.Database;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.KeyScope;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyStore;
import dev.keywarden.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A vault over a fresh SQLite file with the test cipher, recording events; closes everything it opened. */
final class VaultFixture implements AutoCloseable {

    final Path dataDir;
    final Database db;
    final ProviderKeyStore store;
    final TestCipher cipher = new TestCipher();
    final RecordingEvents events = new RecordingEvents();
    final List<String> secrets = new ArrayList<>();
    final List<AutoCloseable> closeables = new ArrayList<>();
    volatile KeyVerification verdict = new KeyVerification.Valid();
    final VaultProviderKeys keys;
    final KeyRotation rotation;

    VaultFixture(Path dataDir, Clock clock) {
        this.dataDir = dataDir;
        this.db = Database.openSqlite(dataDir);
        this.store = new ProviderKeyStore(db);
        this.keys = newKeys(KeyEnvironment.DEV, clock);
        this.rotation = keys.rotation(secret -> verdict, Duration.ofSeconds(5), Duration.ZERO);
    }

    VaultFixture(Path dataDir) {
        this(dataDir, Clock.systemUTC());
    }

    /** Another view on the same store, as a second process (the CLI, another gateway) would have. */
    VaultProviderKeys newKeys(KeyEnvironment env, Clock clock) {
        VaultProviderKeys k = VaultProviderKeys.builder(store, cipher).environment(env).events(events).clock(clock)
                .noBackgroundRefresh().start();
        closeables.add(k);
        return k;
    }

    /** A freshly generated key with the real shape; remembered so tests can prove it never leaks. */
    String newSecret() {
        String s = TestKeys.canaryProviderKey();
        secrets.add(s);
        return s;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    ProviderKeyRecord add(String label, KeyEnvironment env, int priority, KeyScope scope) {
        return rotation.add(bytes(newSecret()), new NewProviderKey(label, env, scope, priority, null, "test:" + label), false);
    }

    ProviderKeyRecord add(String label, int priority) {
        return add(label, KeyEnvironment.DEV, priority, KeyScope.ALL);
    }

    String secretOf(ProviderKeyRecord r) {
        for (String s : secrets) {
            if (ProviderKeyIds.sha256Hex(bytes(s)).equals(r.sha256Fingerprint())) {
                return s;
            }
        }
        throw new AssertionError("no secret for " + r.id());
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        db.close();
    }
}
