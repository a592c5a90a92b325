package dev.keywarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.cli.CliRunner.Run;
import dev.keywarden.testing.LogCapture;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import dev.keywarden.vault.ProviderKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keys list/add/rotate/revoke/activate} and {@code vault status/rewrap/rotate-kek/retire-kek}
 * on a local data directory with {@code vault.kek=local} (and one passphrase vault), driven
 * in-process. Provider keys are generated at run time and handed over in a child environment; every
 * test that handles one asserts it appears in no output and no log line.
 */
class ProviderKeysCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Map<String, String> env;
    String key;
    LogCapture logs;
    FakeUpstream fake;

    @BeforeEach
    void setUp() {
        key = TestKeys.canaryProviderKey();
        env = new HashMap<>();
        env.put("KEYWARDEN_DATA_DIR", tmp.resolve("data").toString());
        env.put("KEYWARDEN_VAULT_KEK", "local");
        env.put("KEYWARDEN_ADMIN_LISTEN", "off");
        env.put("PROVIDER_KEY", key);
        logs = LogCapture.start();
        Run init = run("vault", "init");
        assertThat(init.exitCode()).as(init.err()).isZero();
    }

    @AfterEach
    void tearDown() {
        logs.close();
        if (fake != null) {
            fake.close();
        }
    }

    private Run run(String... args) {
        return CliRunner.run(env, args);
    }

    private void assertNeverShown(String secret, Run... runs) {
        for (Run r : runs) {
            assertThat(r.all()).doesNotContain(secret).doesNotContain(secret.substring(20));
        }
        assertThat(logs.text()).doesNotContain(secret).doesNotContain(secret.substring(20));
    }

    private String addKey(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("keys", "add", "--from-env", "PROVIDER_KEY", "--no-verify"));
        args.addAll(List.of(extra));
        Run added = run(args.toArray(String[]::new));
        assertThat(added.exitCode()).as(added.err()).isZero();
        return added.out().replaceAll("(?s).*?(pk_[A-Za-z0-9_-]+).*", "$1").strip();
    }

    private JsonNode listJson() throws Exception {
        Run list = run("keys", "list", "--json");
        assertThat(list.exitCode()).as(list.err()).isZero();
        return JSON.readTree(list.out());
    }

    private JsonNode providerKey(String id) throws Exception {
        for (JsonNode k : listJson().get("provider_keys")) {
            if (k.get("id").asText().equals(id)) {
                return k;
            }
        }
        throw new AssertionError("no provider key " + id + " in keys list --json");
    }

    @Test
    void addFromEnvStoresTheKeyAndListShowsItByFingerprintOnly() throws Exception {
        Run added = run("keys", "add", "--from-env", "PROVIDER_KEY", "--no-verify", "--label", "primary", "--priority", "0");

        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).startsWith("Added provider key pk_").contains(ProviderKey.fingerprintOf(key))
                .contains("active").contains("not verified");
        Run table = run("keys", "list");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.outLines().get(0)).startsWith("PROVIDER KEYS (vault.kek local");
        assertThat(table.outLines().get(1)).matches(
                "ID +LABEL +ENV +STATE +FINGERPRINT +SHA256 +PRIORITY +LAST USED +ROTATION DUE");
        assertThat(table.outLines().get(2)).matches("pk_\\S+ +primary +dev +active +"
                + java.util.regex.Pattern.quote(ProviderKey.fingerprintOf(key)) + " +[0-9a-f]{16} +0 +never +\\d{4}-\\d\\d-\\d\\d");
        assertThat(table.out()).contains("VIRTUAL KEYS").contains("No virtual keys");
        assertNeverShown(key, added, table);
    }

    @Test
    void listJsonHasProviderKeysWithFingerprintsStateAndRotationStatus() throws Exception {
        String id = addKey("--rotation-days", "30", "--label", "backup", "--priority", "5");

        Run list = run("keys", "list", "--json");

        JsonNode root = JSON.readTree(list.out());
        assertThat(root.get("virtual_keys")).isEmpty();
        JsonNode k = root.get("provider_keys").get(0);
        assertThat(k.get("id").asText()).isEqualTo(id);
        assertThat(k.get("label").asText()).isEqualTo("backup");
        assertThat(k.get("fingerprint").asText()).isEqualTo(ProviderKey.fingerprintOf(key));
        assertThat(k.get("sha256").asText()).matches("[0-9a-f]{64}");
        assertThat(k.get("state").asText()).isEqualTo("active");
        assertThat(k.get("priority").asInt()).isEqualTo(5);
        assertThat(k.get("rotation_days").asInt()).isEqualTo(30);
        assertThat(k.get("overdue").asBoolean()).isFalse();
        assertThat(k.get("rotation_due_at").asText()).endsWith("Z");
        assertNeverShown(key, list);
    }

    @Test
    void revokeNowRevokesAProviderKeyAtOnceAndReportsNoCutCallsWhenThereWereNone() throws Exception {
        String id = addKey();
        env.put("BACKUP_KEY", TestKeys.canaryProviderKey());
        Run backup = run("keys", "add", "--from-env", "BACKUP_KEY", "--no-verify", "--label", "backup", "--priority", "5");
        assertThat(backup.exitCode()).as(backup.err()).isZero();

        Run revoke = run("keys", "revoke", id, "--now");

        assertThat(revoke.exitCode()).as(revoke.err()).isZero();
        assertThat(revoke.out()).contains("Revoked provider key " + id).contains("revoked").doesNotContain("cut")
                .doesNotContain("last active");
        assertThat(providerKey(id).get("state").asText()).isEqualTo("revoked");
        assertThat(logs.text()).contains("provider_key.revoked").doesNotContain("ALERT provider_key.revoked");
        assertNeverShown(key, revoke);
    }

    @Test
    void aKeyWhoseRecordWasRevokedCanBeAddedAgainAsANewRecord() throws Exception {
        String first = addKey();
        assertThat(run("keys", "add", "--from-env", "PROVIDER_KEY", "--no-verify").err())
                .as("while its record is live the key is refused").contains("already stored");
        assertThat(run("keys", "revoke", first, "--now", "--force").exitCode()).isZero();

        String again = addKey();

        assertThat(again).startsWith("pk_").isNotEqualTo(first);
        assertThat(providerKey(first).get("state").asText()).isEqualTo("revoked");
        assertThat(providerKey(again).get("state").asText()).isEqualTo("active");
        assertThat(providerKey(again).get("sha256").asText()).isEqualTo(providerKey(first).get("sha256").asText());
    }

    @Test
    void revokingTheLastActiveKeyNeedsForceSaysWhatWillHappenAndIsAnAlert() throws Exception {
        String id = addKey();

        for (String[] args : List.of(new String[] {"keys", "revoke", id, "--now"}, new String[] {"keys", "revoke", id})) {
            Run refused = run(args);
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).startsWith("keywarden keys revoke: provider key " + id)
                    .contains("is the last active provider key of environment dev")
                    .contains("every proxy call fail with 503").contains("--force");
            assertThat(providerKey(id).get("state").asText()).isEqualTo("active");
        }
        assertThat(logs.text()).doesNotContain("provider_key.revoked");

        Run forced = run("keys", "revoke", id, "--now", "--force");

        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("Revoked provider key " + id).doesNotContain("cut")
                .contains("It was the last active provider key").contains("503");
        assertThat(providerKey(id).get("state").asText()).isEqualTo("revoked");
        assertThat(logs.text()).contains("ALERT provider_key.revoked " + id).contains("last_active_key=true");
        assertNeverShown(key, forced);
    }

    @Test
    void revokeWithoutNowDrainsFirstThenRevokes() throws Exception {
        String id = addKey();

        Run revoke = run("keys", "revoke", id, "--force");

        assertThat(revoke.exitCode()).as(revoke.err()).isZero();
        assertThat(revoke.err()).contains("Draining " + id);
        assertThat(providerKey(id).get("state").asText()).isEqualTo("revoked");
    }

    @Test
    void revokeOfAnUnknownProviderKeyExitsOneNamingIt() {
        addKey();
        Run revoke = run("keys", "revoke", "pk_nosuchkey", "--now");
        assertThat(revoke.exitCode()).isEqualTo(1);
        assertThat(revoke.err()).startsWith("keywarden keys revoke: ").contains("pk_nosuchkey");
    }

    @Test
    void rotatePrintsEveryStepAndLeavesTheNewKeyActiveAndTheOldRevoked() throws Exception {
        String oldId = addKey();
        String newKey = TestKeys.canaryProviderKey();
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(newKey)); // upstream accepts only the NEW key
        env.put("KEYWARDEN_UPSTREAM_URL", fake.baseUri().toString());
        env.put("NEW_PROVIDER_KEY", newKey);

        Run rotate = run("keys", "rotate", "--from", oldId, "--new-from-env", "NEW_PROVIDER_KEY");

        assertThat(rotate.exitCode()).as(rotate.err()).isZero();
        List<String> steps = rotate.outLines().stream().filter(l -> l.startsWith("  ")).map(l -> l.strip().split(" +")[0]).toList();
        assertThat(steps).containsSubsequence("pending", "verified", "active", "draining", "revoked");
        assertThat(rotate.out()).contains("Rotated: ").contains(ProviderKey.fingerprintOf(newKey))
                .contains("replaces " + oldId);
        assertThat(providerKey(oldId).get("state").asText()).isEqualTo("revoked");
        JsonNode active = listJson().get("provider_keys");
        assertThat(active).filteredOn(k -> k.get("state").asText().equals("active")).singleElement()
                .satisfies(k -> assertThat(k.get("fingerprint").asText()).isEqualTo(ProviderKey.fingerprintOf(newKey)));
        assertNeverShown(key, rotate);
        assertNeverShown(newKey, rotate);
    }

    @Test
    void addWithVerificationRefusesAKeyUpstreamRejects() throws Exception {
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(TestKeys.canaryProviderKey()));
        env.put("KEYWARDEN_UPSTREAM_URL", fake.baseUri().toString());

        Run added = run("keys", "add", "--from-env", "PROVIDER_KEY");

        assertThat(added.exitCode()).isEqualTo(1);
        assertThat(added.err()).contains("keywarden keys add: ").contains("upstream rejected").contains("401");
        assertThat(listJson().get("provider_keys")).allSatisfy(k -> assertThat(k.get("state").asText()).isEqualTo("revoked"));
        assertNeverShown(key, added);
    }

    @Test
    void activateMakesAPendingKeyActive() throws Exception {
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(key));
        env.put("KEYWARDEN_UPSTREAM_URL", "http://127.0.0.1:9"); // nothing answers: the key stays pending
        Run added = run("keys", "add", "--from-env", "PROVIDER_KEY");
        assertThat(added.exitCode()).isEqualTo(1);
        assertThat(added.err()).contains("pending").contains("keywarden keys activate");
        JsonNode pending = listJson().get("provider_keys").get(0);
        assertThat(pending.get("state").asText()).isEqualTo("pending");

        Run activate = run("keys", "activate", pending.get("id").asText());

        assertThat(activate.exitCode()).as(activate.err()).isZero();
        assertThat(providerKey(pending.get("id").asText()).get("state").asText()).isEqualTo("active");
        assertNeverShown(key, added, activate);
    }

    @Test
    void vaultStatusRewrapRotateKekAndRetireKekWorkOnTheLocalStore() throws Exception {
        addKey();

        Run status = run("vault", "status");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("unsealed").contains("local, current version 1").contains("active 1");

        Run rewrap = run("vault", "rewrap");
        assertThat(rewrap.exitCode()).as(rewrap.err()).isZero();
        assertThat(rewrap.out()).contains("Re-wrapped 0 data key(s) under KEK version 1; 1 already current");

        Run rotated = run("vault", "rotate-kek");
        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        assertThat(rotated.out()).contains("version 2 is current").contains("Re-wrapped 1 data key(s) under KEK version 2");

        Run retired = run("vault", "retire-kek", "1");
        assertThat(retired.exitCode()).as(retired.err()).isZero();
        assertThat(retired.out()).contains("Retired KEK version 1; remaining versions: 2.");

        JsonNode json = JSON.readTree(run("vault", "status", "--json").out());
        assertThat(json.get("sealed").asBoolean()).isFalse();
        assertThat(json.get("kek_version").asInt()).isEqualTo(2);
        assertThat(json.get("kek_versions")).extracting(JsonNode::asInt).containsExactly(2);
        // the key still opens under the new KEK: a rotation away from it must be able to read the vault
        assertThat(providerKey(listJson().get("provider_keys").get(0).get("id").asText()).get("kek_version").asInt()).isEqualTo(2);
        assertNeverShown(key, status, rewrap, rotated, retired);
    }

    @Test
    void retiringTheCurrentKekVersionIsRefusedWithRotateFirst() {
        addKey();
        Run first = run("vault", "retire-kek", "1");
        assertThat(first.exitCode()).isEqualTo(1);
        assertThat(first.err()).startsWith("keywarden vault retire-kek: KEK version 1 is the current version")
                .contains("rotate first").contains("keywarden vault rotate-kek").doesNotContain("rewrap`");
        Run rotated = run("vault", "rotate-kek");
        assertThat(rotated.exitCode()).isZero();
        Run retired = run("vault", "retire-kek", "2");
        assertThat(retired.exitCode()).isEqualTo(1);
        assertThat(retired.err()).contains("KEK version 2 is the current version").contains("rotate first");
        assertThat(run("vault", "retire-kek", "1").exitCode()).as("version 1 no longer wraps anything").isZero();
    }

    @Test
    void aPassphraseVaultTakesThePassphraseFromStdinAndRefusesAWrongOne() throws Exception {
        env.put("KEYWARDEN_VAULT_KEK", "passphrase");
        env.put("KEYWARDEN_DATA_DIR", tmp.resolve("passphrase-data").toString());
        String passphrase = "correct horse " + TestKeys.random(12);
        Run init = CliRunner.withStdin(env, passphrase + "\n", "vault", "init");
        assertThat(init.exitCode()).as(init.err()).isZero();

        Run first = CliRunner.withStdin(env, passphrase + "\n", "keys", "add", "--from-env", "PROVIDER_KEY", "--no-verify");
        assertThat(first.exitCode()).as(first.err()).isZero();

        Run wrong = CliRunner.withStdin(env, "not the passphrase\n", "vault", "rewrap");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err()).contains("keywarden vault rewrap: wrong passphrase");

        Run none = CliRunner.withStdin(env, "", "vault", "rewrap");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains("no vault passphrase given").contains("KEYWARDEN_VAULT_PASSPHRASE");

        Run listSealed = CliRunner.withStdin(env, "", "keys", "list");
        assertThat(listSealed.exitCode()).as("listing needs no passphrase: " + listSealed.err()).isZero();
        assertThat(listSealed.out()).contains(ProviderKey.fingerprintOf(key));

        env.put("KEYWARDEN_VAULT_PASSPHRASE", passphrase);
        Run fromEnv = run("vault", "rewrap");
        assertThat(fromEnv.exitCode()).as(fromEnv.err()).isZero();
        assertThat(init.all() + first.all() + wrong.all() + none.all() + fromEnv.all() + logs.text()).doesNotContain(passphrase);
        assertNeverShown(key, first, wrong, listSealed, fromEnv);
    }

    @Test
    void providerKeyCommandsWithoutAVaultSayHowToTurnItOn() {
        env.remove("KEYWARDEN_VAULT_KEK");
        Run added = run("keys", "add", "--from-env", "PROVIDER_KEY");
        assertThat(added.exitCode()).isEqualTo(2);
        assertThat(added.err()).contains("vault.kek (KEYWARDEN_VAULT_KEK) is none").contains("--admin-url");
        assertThat(run("vault", "status").exitCode()).isEqualTo(2);
    }

    @Test
    void aKeySourceIsRequiredAndExclusive() {
        Run none = run("keys", "add");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--from-env").contains("--from-source");
        Run both = run("keys", "add", "--from-env", "A", "--from-source", "env:B");
        assertThat(both.exitCode()).isEqualTo(2);
        Run rotate = run("keys", "rotate", "--from", "pk_x");
        assertThat(rotate.exitCode()).isEqualTo(2);
        assertThat(rotate.err()).contains("--new-from-env");
    }

    @Test
    void aKeyPastedAsASourceIsRefusedWithoutBeingRepeated() {
        Run added = run("keys", "add", "--from-source", key);
        assertThat(added.exitCode()).isEqualTo(1);
        assertThat(added.err()).contains("looks like a provider key");
        assertNeverShown(key, added);
    }

    @Test
    void remoteModeWithoutAnAdminTokenFailsBeforeSendingAnything() {
        env.put("KEYWARDEN_ADMIN_URL", "http://127.0.0.1:9");
        Run list = run("keys", "list");
        assertThat(list.exitCode()).isEqualTo(1);
        assertThat(list.err()).contains("no admin token").contains("KEYWARDEN_ADMIN_TOKEN").contains("--admin-token-file");
    }

    @Test
    void remoteModeWithAnUnreachableGatewaySaysSo() throws Exception {
        Path tokenFile = Files.writeString(tmp.resolve("token"), "kwadm_" + TestKeys.random(43).replace('-', 'x') + "\n");
        Run status = run("vault", "status", "--admin-url", "http://127.0.0.1:9", "--admin-token-file", tokenFile.toString());
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.err()).contains("cannot reach the admin API at http://127.0.0.1:9")
                .doesNotContain(Files.readString(tokenFile).strip());
    }
}
