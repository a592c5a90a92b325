package dev.keywarden.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.audit.AuditVerifier;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.testing.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each checklist item on a configuration or deployment that satisfies it and on one that does not. */
class DoctorTest {

    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @TempDir
    Path tmp;
    Path confDir;
    Map<String, String> env;
    Path workDir;
    KeyInventory keys;
    AuditState audit;

    @BeforeEach
    void defaults() throws IOException {
        confDir = Files.createDirectories(tmp.resolve("conf"));
        workDir = Files.createDirectories(tmp.resolve("work"));
        env = new HashMap<>();
        env.put("KEYWARDEN_DATA_DIR", tmp.resolve("data").toString());
        keys = KeyInventory.unknown("vault.kek none");
        audit = AuditState.of(List.of());
    }

    KeywardenConfig config() {
        return ConfigLoader.from(env, confDir).load();
    }

    DoctorInput input() {
        return new DoctorInput(config(), workDir, keys, audit, NOW);
    }

    CheckResult run(Check check) {
        CheckResult r = check.run(input());
        assertThat(r.id()).isEqualTo(check.id());
        return r;
    }

    static KeyFact key(String id, String environment, String sha, String state, Instant dueAt) {
        return new KeyFact(id, environment, "sk-ant-api03-…" + sha.substring(0, 4), sha, state, 30, dueAt);
    }

    @Nested
    class ProviderKeyStorage {
        final Check check = new ProviderKeyStorageCheck();

        @Test
        void aPlaintextEnvironmentKeyWithoutTheVaultFailsInProduction() {
            String secret = TestKeys.canaryProviderKey();
            env.put("KEYWARDEN_ENV", "production");
            env.put("ANTHROPIC_API_KEY", secret);
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.detail()).contains("ANTHROPIC_API_KEY").contains("vault.kek none").doesNotContain(secret);
            assertThat(r.fix()).contains("vault.kek").contains("keywarden keys add");
        }

        @Test
        void noProviderKeyInStagingFailsBecauseServeRefusesToStart() {
            env.put("KEYWARDEN_ENV", "staging");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.detail()).contains("serve refuses to start in staging");
        }

        @Test
        void aPlaintextEnvironmentKeyIsOnlyAWarningInDevelopment() {
            env.put("ANTHROPIC_API_KEY", TestKeys.fakeProviderKey());
            assertThat(run(check).status()).isEqualTo(Status.WARN);
        }

        @Test
        void aPassphraseVaultInProductionPasses() {
            env.put("KEYWARDEN_ENV", "production");
            env.put("KEYWARDEN_VAULT_KEK", "passphrase");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).contains("passphrase");
        }

        @Test
        void aLocalKekInProductionIsAWarning() {
            env.put("KEYWARDEN_ENV", "production");
            env.put("KEYWARDEN_VAULT_KEK", "local");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.fix()).contains("vault rewrap");
        }

        @Test
        void aKeyStillInTheEnvironmentNextToTheVaultFailsInProduction() {
            env.put("KEYWARDEN_ENV", "production");
            env.put("KEYWARDEN_VAULT_KEK", "passphrase");
            env.put("ANTHROPIC_API_KEY", TestKeys.fakeProviderKey());
            assertThat(run(check).status()).isEqualTo(Status.FAIL);
        }
    }

    @Nested
    class KeysPerEnvironment {
        final Check check = new KeyPerEnvironmentCheck();

        @Test
        void theSameKeyInDevAndProdFails() {
            String sha = "ab".repeat(32);
            keys = KeyInventory.of(List.of(key("pk_1", "dev", sha, "active", NOW.plus(Duration.ofDays(5))),
                    key("pk_2", "prod", sha, "active", NOW.plus(Duration.ofDays(5)))), "store");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.detail()).contains("dev and prod").contains("pk_1").contains("pk_2");
        }

        @Test
        void distinctKeysPerEnvironmentPass() {
            keys = KeyInventory.of(List.of(key("pk_1", "dev", "ab".repeat(32), "active", NOW.plus(Duration.ofDays(5))),
                    key("pk_2", "prod", "cd".repeat(32), "active", NOW.plus(Duration.ofDays(5)))), "store");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).contains("2 environment(s)");
        }

        @Test
        void aKeyRevokedInEveryEnvironmentIsNoLongerShared() {
            String sha = "ef".repeat(32);
            keys = KeyInventory.of(List.of(key("pk_1", "dev", sha, "revoked", NOW), key("pk_2", "prod", sha, "compromised", NOW)),
                    "store");
            assertThat(run(check).status()).isEqualTo(Status.PASS);
        }

        @Test
        void thePlaintextKeyBeingAnotherEnvironmentsStoredKeyFails() throws Exception {
            String secret = TestKeys.fakeProviderKey();
            String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            env.put("ANTHROPIC_API_KEY", secret);
            env.put("KEYWARDEN_VAULT_KEK", "local");
            keys = KeyInventory.of(List.of(key("pk_9", "prod", sha, "active", NOW.plus(Duration.ofDays(5)))), "store");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.detail()).contains("pk_9").contains("environment is dev").doesNotContain(secret);
        }

        @Test
        void withoutStoredKeysItCannotCompareAndWarns() {
            assertThat(run(check).status()).isEqualTo(Status.WARN);
        }
    }

    @Nested
    class Rotation {
        final Check check = new RotationCheck();

        @Test
        void keysWithinPolicyPass() {
            keys = KeyInventory.of(List.of(key("pk_1", "prod", "ab".repeat(32), "active", NOW.plus(Duration.ofDays(12)))), "store");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).contains("next due 2026-06-13");
        }

        @Test
        void aKeyOverdueWithinTheGraceIsAWarningThatSaysSo() {
            keys = KeyInventory.of(List.of(key("pk_1", "prod", "ab".repeat(32), "active", NOW.minus(Duration.ofDays(3)))), "store");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.detail()).contains("pk_1").contains("overdue by 3 day(s)").contains("within the 7-day grace");
            assertThat(r.fix()).contains("keywarden keys rotate --from ID");
        }

        @Test
        void aKeyOverduePastTheGraceFails() {
            keys = KeyInventory.of(List.of(key("pk_1", "prod", "ab".repeat(32), "active", NOW.minus(Duration.ofDays(20))),
                    key("pk_2", "prod", "cd".repeat(32), "active", NOW.minus(Duration.ofDays(2)))), "store");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.detail()).contains("past the 7-day grace").contains("pk_2");
        }

        @Test
        void anOverdueKeyThatIsNoLongerActiveDoesNotCount() {
            keys = KeyInventory.of(List.of(key("pk_1", "prod", "ab".repeat(32), "revoked", NOW.minus(Duration.ofDays(90))),
                    key("pk_2", "prod", "cd".repeat(32), "active", NOW.plus(Duration.ofDays(2)))), "store");
            assertThat(run(check).status()).isEqualTo(Status.PASS);
        }

        @Test
        void noTrackedKeysIsAWarning() {
            assertThat(run(check).status()).isEqualTo(Status.WARN);
        }
    }

    @Nested
    class DotEnv {
        final Check check = new DotEnvCheck();

        void git(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("git", "-C", workDir.toString(), "-c", "user.name=t", "-c",
                    "user.email=t@example.invalid", "-c", "commit.gpgsign=false"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
        }

        @Test
        void aTrackedEnvFileFails() throws Exception {
            git("init", "-q");
            Files.writeString(workDir.resolve(".env"), "A=b\n");
            git("add", ".env");
            git("commit", "-q", "-m", "oops");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.detail()).contains(".env");
            assertThat(r.fix()).contains("git rm --cached .env");
        }

        @Test
        void anEnvFileNotIgnoredIsAWarning() throws Exception {
            git("init", "-q");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.fix()).contains("--fix-gitignore");
        }

        @Test
        void theStandardIgnoreLinesPass() throws Exception {
            git("init", "-q");
            Files.writeString(workDir.resolve(".gitignore"), ".env\n.env.*\n!.env.example\n");
            assertThat(run(check).status()).isEqualTo(Status.PASS);
        }

        @Test
        void aDirectoryOutsideGitPasses() {
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).contains("not a git working tree");
        }
    }

    @Nested
    class Cors {
        final Check check = new CorsCheck();

        @Test
        void noCorsSettingsPassAsSameOrigin() {
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).isEqualTo("no CORS configured (same-origin only)");
        }

        @Test
        void aWildcardOriginFails() {
            env.put("KEYWARDEN_CORS_ALLOWED_ORIGINS", "https://app.example.com, *");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.fix()).contains("cors.allowed_origins");
        }

        @Test
        void listedOriginsPass() {
            env.put("KEYWARDEN_CORS_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:5173");
            env.put("KEYWARDEN_CORS_ALLOW_CREDENTIALS", "true");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).contains("https://app.example.com, http://localhost:5173, with credentials");
        }

        @Test
        void aPlainHttpOriginOnAnotherHostWarns() {
            env.put("KEYWARDEN_CORS_ALLOWED_ORIGINS", "https://app.example.com, http://intranet.example.com");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.detail()).contains("http://intranet.example.com").doesNotContain("https://app.example.com");
        }
    }

    @Nested
    class Tls {
        final Check check = new TlsCheck();

        @Test
        void aLoopbackListenerPasses() {
            env.put("KEYWARDEN_LISTEN", "127.0.0.1:8787");
            assertThat(run(check).status()).isEqualTo(Status.PASS);
            env.put("KEYWARDEN_LISTEN", "[::1]:8787");
            assertThat(run(check).status()).isEqualTo(Status.PASS);
            env.put("KEYWARDEN_LISTEN", "localhost:8787");
            assertThat(run(check).status()).isEqualTo(Status.PASS);
        }

        @Test
        void aPublicListenerWithoutTlsFails() {
            env.put("KEYWARDEN_LISTEN", "0.0.0.0:8787");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.detail()).contains("0.0.0.0:8787");
            assertThat(r.fix()).contains("TLS-terminating reverse proxy").contains("server.tls.cert");
            env.put("KEYWARDEN_LISTEN", "10.1.2.3:8787");
            assertThat(run(check).status()).isEqualTo(Status.FAIL);
        }

        @Test
        void aPublicListenerWithTlsPasses() {
            env.put("KEYWARDEN_LISTEN", "0.0.0.0:8443");
            env.put("KEYWARDEN_TLS_CERT", "tls/gateway.crt");
            env.put("KEYWARDEN_TLS_KEY", "tls/gateway.key");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).contains("serves HTTPS").contains("gateway.crt");
        }
    }

    @Nested
    class AdminListener {
        final Check check = new AdminListenerCheck();

        @Test
        void aLoopbackOrDisabledAdminListenerPasses() {
            assertThat(run(check).status()).isEqualTo(Status.PASS);
            env.put("KEYWARDEN_ADMIN_LISTEN", "off");
            assertThat(run(check).detail()).contains("admin API off");
        }

        @Test
        void anAdminListenerOnEveryInterfaceFails() {
            env.put("KEYWARDEN_ADMIN_LISTEN", "0.0.0.0:8788");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.detail()).contains("every interface");
            assertThat(r.fix()).contains("127.0.0.1:8788").contains("SSH tunnel");
        }
    }

    @Nested
    class LimitsAndBudgets {
        final Check check = new LimitsAndBudgetsCheck();

        void budgetsForEveryTier() {
            for (String tier : List.of("free", "pro", "enterprise")) {
                env.put("KEYWARDEN_TIERS_" + tier.toUpperCase() + "_MONTHLY_BUDGET_USD", "100");
            }
        }

        @Test
        void limitsAndBudgetsOnEveryTierPass() {
            budgetsForEveryTier();
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).contains("enterprise, free, pro");
        }

        @Test
        void limitsSwitchedOffFail() {
            budgetsForEveryTier();
            env.put("KEYWARDEN_LIMITS", "off");
            assertThat(run(check).status()).isEqualTo(Status.FAIL);
        }

        @Test
        void aTierWithoutALimitIsAWarning() {
            budgetsForEveryTier();
            env.put("KEYWARDEN_TIERS_PRO_CONCURRENT_REQUESTS", "0");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.detail()).contains("pro (concurrent_requests)");
        }

        @Test
        void missingOrZeroBudgetsAreAWarningNamingTheTiers() {
            env.put("KEYWARDEN_TIERS_FREE_DAILY_BUDGET_USD", "5");
            env.put("KEYWARDEN_TIERS_PRO_DAILY_BUDGET_USD", "0");
            env.put("KEYWARDEN_TIERS_PRO_MONTHLY_BUDGET_USD", "0");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.detail()).contains("no budget for tier(s): enterprise, pro");
            assertThat(r.fix()).contains("daily_budget_usd");
        }

        @Test
        void tiersWithShippedDefaultBudgetsAreNotReportedAsHavingNone() {
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.detail()).contains("no budget for tier(s): enterprise").doesNotContain("free").doesNotContain("pro");

            env.put("KEYWARDEN_TIERS_PRO_DAILY_BUDGET_USD", "0"); // the default monthly budget still applies
            env.put("KEYWARDEN_TIERS_ENTERPRISE_MONTHLY_BUDGET_USD", "1000");
            CheckResult covered = run(check);
            assertThat(covered.status()).as(covered.detail()).isEqualTo(Status.PASS);
        }

        @Test
        void budgetsSwitchedOffAreAWarningSayingSo() {
            budgetsForEveryTier();
            env.put("KEYWARDEN_BUDGETS_ENABLED", "off");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.detail()).contains("budgets are off");
        }
    }

    @Nested
    class Audit {
        final Check check = new AuditCheck();

        @Test
        void intactChainsPass() {
            audit = AuditState.of(List.of(new AuditVerifier.ChainReport("main", 20, 3, 0, null, null)));
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).contains("20 record(s), all intact");
        }

        @Test
        void aBrokenChainFails() {
            audit = AuditState.of(List.of(new AuditVerifier.ChainReport("main", 20, 3, 0, null, null),
                    new AuditVerifier.ChainReport("cli-1", 4, 1, 0, 2L, "record 2 was altered")));
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.FAIL);
            assertThat(r.detail()).contains("cli-1").contains("record 2 was altered");
        }

        @Test
        void aTrailThatCannotBeReadIsAWarning() {
            audit = AuditState.unavailable("no store at /x/keywarden.db");
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.detail()).contains("no store at");
        }
    }

    @Nested
    class Alerts {
        final Check check = new AlertsCheck();

        @Test
        void aWebhookPassesAndItsPathIsNotPrinted() {
            env.put("KEYWARDEN_ALERTS_WEBHOOK_URL", "https://hooks.example.com/services/T000/B000/not-a-real-path");
            env.put("KEYWARDEN_ALERTS_WEBHOOK_SECRET", "test-only-secret-" + TestKeys.random(20));
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.PASS);
            assertThat(r.detail()).contains("hooks.example.com").doesNotContain("not-a-real-path");
        }

        @Test
        void noWebhookIsAWarning() {
            CheckResult r = run(check);
            assertThat(r.status()).isEqualTo(Status.WARN);
            assertThat(r.fix()).contains("alerts.webhook_url");
        }

        @Test
        void anomalyDetectionOffIsAWarning() {
            env.put("KEYWARDEN_ANOMALY_ENABLED", "false");
            assertThat(run(check).detail()).contains("anomaly detection is off");
        }
    }

    @Test
    void everyItemOfTheChecklistIsRunOnceInOrder() {
        List<CheckResult> results = Doctor.standard().examine(input());
        assertThat(results).extracting(CheckResult::id).containsExactly("provider-keys", "keys-per-environment", "rotation",
                "dotenv", "cors", "tls", "admin-listener", "limits-budgets", "audit", "server-secret", "alerts");
    }

    @Test
    void aCheckThatThrowsBecomesAFailAndItsMessageIsRedacted() {
        String secret = TestKeys.canaryProviderKey();
        Check broken = new Check() {
            public String id() {
                return "broken";
            }

            public String title() {
                return "Broken";
            }

            public CheckResult run(DoctorInput input) {
                throw new IllegalStateException("boom near " + secret);
            }
        };
        List<CheckResult> results = new Doctor(List.of(broken)).examine(input());
        assertThat(results).hasSize(1);
        assertThat(results.getFirst().status()).isEqualTo(Status.FAIL);
        assertThat(results.getFirst().detail()).contains("could not be checked").doesNotContain(secret);
        assertThat(Doctor.overall(results)).isEqualTo(Status.FAIL);
    }

    @Test
    void budgetAndCorsVariablesAreReadFromTheLoadedConfiguration() throws IOException {
        env.put("KEYWARDEN_TIERS_GOLD_DAILY_BUDGET_USD", "12.5");
        Files.writeString(confDir.resolve("keywarden.yaml"), "cors:\n  allowed_origins: ['*']\n");
        KeywardenConfig c = config();
        assertThat(c.budgets().tiers().get("gold").dailyNanos()).isEqualTo(12_500_000_000L);
        assertThat(c.cors().allowedOrigins()).containsExactly("*");
        assertThat(run(new CorsCheck()).status()).isEqualTo(Status.FAIL);
        assertThat(run(new LimitsAndBudgetsCheck()).detail()).contains("gold");
    }
}
