package dev.keywarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each section parser on its own, over the shared value reader: its defaults, a good value, and a bad
 * value that becomes one line naming the YAML path and the environment variable (never a secret).
 */
class SectionParsersTest {

    @TempDir
    Path dir;

    static Values values(String... keyValues) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return Values.ofMap(m);
    }

    @Nested
    class SharedValueReader {
        @Test
        void aVariableWinsOverThePathAndABlankValueCountsAsUnset() {
            Values v = values("listen", "127.0.0.1:1", "KEYWARDEN_LISTEN", "127.0.0.1:2");
            assertThat(v.read(GeneralSection.LISTEN, HostPort::parse).port()).isEqualTo(2);
            assertThat(v.origin(GeneralSection.LISTEN)).isEqualTo(Values.Origin.ENVIRONMENT);
            Values blank = values("KEYWARDEN_LISTEN", "  ");
            assertThat(blank.origin(GeneralSection.LISTEN)).isEqualTo(Values.Origin.DEFAULT);
            assertThat(blank.read(GeneralSection.LISTEN, HostPort::parse).port()).isEqualTo(8787);
        }

        @Test
        void durationsTakeMillisecondsToDaysAndSizesKilobytesToGigabytes() {
            assertThat(Values.duration("500ms")).isEqualTo(Duration.ofMillis(500));
            assertThat(Values.duration("45")).isEqualTo(Duration.ofSeconds(45));
            assertThat(Values.duration("7d")).isEqualTo(Duration.ofDays(7));
            assertThat(Values.bytes("16KiB")).isEqualTo(16 * 1024);
            assertThat(Values.bytes("1gb")).isEqualTo(1024L * 1024 * 1024);
            assertThatThrownBy(() -> Values.duration("soon")).hasMessage("must be a duration such as 500ms, 30s, 10m, 1h or 7d");
        }

        @Test
        void aSecretValueIsNeverQuotedInTheError() {
            String secret = "not-a-port-" + System.nanoTime();
            Setting s = Setting.of("x.secret", "KEYWARDEN_X_SECRET", null, "test").asSecret();
            assertThatThrownBy(() -> values("KEYWARDEN_X_SECRET", secret).read(s, HostPort::parse))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("x.secret (KEYWARDEN_X_SECRET): must be HOST:PORT, e.g. 127.0.0.1:8787");
        }
    }

    @Nested
    class General {
        @Test
        void defaultsAreLoopback8787AndDotData() {
            GeneralSection.General g = GeneralSection.parse(values(), dir);
            assertThat(g.listen()).isEqualTo(new HostPort("127.0.0.1", 8787));
            assertThat(g.dataDir()).isEqualTo(dir.resolve("data"));
            assertThat(g.serverSecret()).isEmpty();
            assertThat(GeneralSection.environment(values())).isEqualTo(Environment.DEVELOPMENT);
        }

        @Test
        void anIpv6ListenerAndARelativeDataDirectory() {
            GeneralSection.General g = GeneralSection.parse(values("KEYWARDEN_LISTEN", "[::1]:9000", "data_dir", "var/kw"), dir);
            assertThat(g.listen()).isEqualTo(new HostPort("::1", 9000));
            assertThat(g.dataDir()).isEqualTo(dir.resolve("var/kw"));
        }

        @Test
        void badValuesNameThePathAndTheVariable() {
            assertThatThrownBy(() -> GeneralSection.parse(values("KEYWARDEN_LISTEN", "127.0.0.1:99999"), dir))
                    .hasMessage("listen (KEYWARDEN_LISTEN): '127.0.0.1:99999' port must be between 0 and 65535");
            assertThatThrownBy(() -> GeneralSection.environment(values("environment", "qa")))
                    .hasMessage("environment (KEYWARDEN_ENV): 'qa' must be 'development', 'staging' or 'production'");
        }

        @Test
        void stagingIsAnEnvironmentOfItsOwnThatIsNotDevelopment() {
            assertThat(GeneralSection.environment(values("environment", "staging"))).isEqualTo(Environment.STAGING);
            assertThat(Environment.STAGING.isDevelopment()).isFalse();
        }
    }

    @Nested
    class Server {
        @Test
        void defaultsAre32MbBodies16KbHeadersAnd30sIdle() {
            assertThat(ServerSection.parse(values())).isEqualTo(new ServerConfig(32L << 20, 16 << 10, Duration.ofSeconds(30)));
        }

        @Test
        void sizesOutsideTheirRangeAreRefused() {
            assertThat(ServerSection.parse(values("server.max_header_bytes", "64KB")).maxHeaderBytes()).isEqualTo(64 << 10);
            assertThatThrownBy(() -> ServerSection.parse(values("KEYWARDEN_MAX_HEADER_BYTES", "2MB")))
                    .hasMessage("server.max_header_bytes (KEYWARDEN_MAX_HEADER_BYTES): must be at most 1MB");
            assertThatThrownBy(() -> ServerSection.parse(values("KEYWARDEN_MAX_BODY_BYTES", "512")))
                    .hasMessage("server.max_body_bytes (KEYWARDEN_MAX_BODY_BYTES): '512' must be at least 1KB");
        }

        @Test
        void tlsNeedsBothFilesAndExcludesH2c() {
            ServerConfig tls = ServerSection.parse(values("server.tls.cert", "gw.crt", "KEYWARDEN_TLS_KEY", "gw.key",
                    "server.tls.reload_interval", "5s"), dir);
            assertThat(tls.tls().orElseThrow().cert()).isEqualTo(dir.resolve("gw.crt"));
            assertThat(tls.tls().orElseThrow().reloadInterval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(tls.h2c()).isFalse();
            assertThatThrownBy(() -> ServerSection.parse(values("server.tls.cert", "gw.crt")))
                    .hasMessage("server.tls.key (KEYWARDEN_TLS_KEY): is missing while server.tls.cert is set; give the PEM"
                            + " private key too (or neither)");
            assertThatThrownBy(() -> ServerSection.parse(values("server.tls.cert", "gw.crt", "server.tls.key", "gw.key",
                    "server.h2c", "on"))).hasMessageStartingWith("server.h2c (KEYWARDEN_H2C): is for a plain listener");
            assertThatThrownBy(() -> ServerSection.parse(values("server.tls.reload_interval", "0s")))
                    .hasMessageStartingWith("server.tls.reload_interval (KEYWARDEN_TLS_RELOAD_INTERVAL): '0s' must be from 1s to 1d");
            assertThat(ServerSection.parse(values("KEYWARDEN_H2C", "on")).h2c()).isTrue();
            assertThat(AdminSection.parse(values("admin.tls.cert", "a.crt", "admin.tls.key", "a.key")).tls()).isPresent();
        }
    }

    @Nested
    class Upstream {
        @Test
        void defaultsAreTheAnthropicApiWithoutAKey() {
            UpstreamConfig u = UpstreamSection.parse(values(), false, new ArrayList<>());
            assertThat(u.url().toString()).isEqualTo("https://api.anthropic.com");
            assertThat(u.urlExplicit()).isFalse();
            assertThat(u.apiKey()).isEmpty();
            assertThat(u.maxConnections()).isEqualTo(16384);
        }

        @Test
        void aTrailingSlashIsDroppedAndAnUrlWithoutKeyIsFineWithTheVault() {
            UpstreamConfig u = UpstreamSection.parse(values("upstream.url", "http://127.0.0.1:9/"), true, new ArrayList<>());
            assertThat(u.url().toString()).isEqualTo("http://127.0.0.1:9");
            assertThat(u.urlExplicit()).isTrue();
        }

        @Test
        void credentialsInTheUrlAreRefused() {
            assertThatThrownBy(() -> UpstreamSection.parse(values("KEYWARDEN_UPSTREAM_URL", "https://u:p@api.example.com"), true,
                    new ArrayList<>())).hasMessageStartingWith("upstream.url (KEYWARDEN_UPSTREAM_URL):")
                    .hasMessageEndingWith("must not contain credentials; use ANTHROPIC_API_KEY");
        }
    }

    @Nested
    class Admin {
        @Test
        void defaultIsLoopback8788AndNotExplicit() {
            assertThat(AdminSection.parse(values())).isEqualTo(new AdminConfig(java.util.Optional.of(new HostPort("127.0.0.1", 8788)), false));
            assertThat(AdminSection.parse(values("admin.listen", "OFF")).listen()).isEmpty();
            assertThat(AdminSection.parse(values("KEYWARDEN_ADMIN_LISTEN", "127.0.0.1:0")).explicit()).isTrue();
        }

        @Test
        void aBadAddressNamesTheSetting() {
            assertThatThrownBy(() -> AdminSection.parse(values("KEYWARDEN_ADMIN_LISTEN", "nowhere")))
                    .hasMessage("admin.listen (KEYWARDEN_ADMIN_LISTEN): 'nowhere' must be HOST:PORT, e.g. 127.0.0.1:8787");
        }
    }

    @Nested
    class Vault {
        @Test
        void defaultsAreNoVaultDevKeysAndAFiveMinuteCache() {
            VaultConfig v = VaultSection.parse(values(), Environment.DEVELOPMENT, new ArrayList<>());
            assertThat(v.enabled()).isFalse();
            assertThat(v.keyEnvironment()).isEqualTo("dev");
            assertThat(v.cacheTtl()).isEqualTo(Duration.ofMinutes(5));
            assertThat(VaultSection.parse(values(), Environment.PRODUCTION, new ArrayList<>()).keyEnvironment()).isEqualTo("prod");
        }

        @Test
        void aLocalKekInProductionIsANoticeAndABadKeyEnvironmentAnError() {
            List<String> notices = new ArrayList<>();
            assertThat(VaultSection.parse(values("vault.kek", "LOCAL"), Environment.PRODUCTION, notices).kek()).isEqualTo("local");
            assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("WARN vault.kek local"));
            assertThatThrownBy(() -> VaultSection.parse(values("KEYWARDEN_KEY_ENVIRONMENT", "qa"), Environment.DEVELOPMENT,
                    new ArrayList<>())).hasMessage("vault.key_environment (KEYWARDEN_KEY_ENVIRONMENT): 'qa' must be dev, staging or prod");
        }
    }

    @Nested
    class Audit {
        @Test
        void defaultsAreBufferedTenThousandAndNoMirror() {
            List<String> notices = new ArrayList<>();
            assertThat(AuditSection.parse(values(), notices)).isEqualTo(new AuditConfig(false, 10_000, java.util.Optional.empty()));
            assertThat(notices).containsExactly("INFO audit trail: buffered (records are written in batches; a crash can lose at most"
                    + " the records still queued)");
        }

        @Test
        void strictWithAMirrorAndABadMode() {
            AuditConfig a = AuditSection.parse(values("audit.mode", "strict", "KEYWARDEN_AUDIT_MIRROR", "stdout"), new ArrayList<>());
            assertThat(a.strict()).isTrue();
            assertThat(a.mirror()).contains("stdout");
            assertThatThrownBy(() -> AuditSection.parse(values("KEYWARDEN_AUDIT_MODE", "paranoid"), new ArrayList<>()))
                    .hasMessageStartingWith("audit.mode (KEYWARDEN_AUDIT_MODE): 'paranoid' must be buffered");
        }
    }

    @Nested
    class Shared {
        @Test
        void defaultsAreSqliteAndLocalState() {
            SharedConfig s = SharedSection.parse(values(), false, new ArrayList<>());
            assertThat(s.postgres()).isFalse();
            assertThat(s.redis()).isFalse();
            assertThat(s.instances()).isEqualTo(1);
        }

        @Test
        void aPoolAboveAThousandIsRefused() {
            assertThatThrownBy(() -> SharedSection.parse(values("KEYWARDEN_POSTGRES_POOL_SIZE", "5000"), false, new ArrayList<>()))
                    .hasMessage("postgres.pool_size (KEYWARDEN_POSTGRES_POOL_SIZE): '5000' must be at most 1000");
        }
    }

    @Nested
    class Limits {
        @Test
        void defaultsAreTheThreeShippedTiers() {
            LimitsConfig l = LimitsSection.parse(values(), Set.of(), new ArrayList<>());
            assertThat(l.tiers()).isEqualTo(LimitsConfig.DEFAULT_TIERS);
            assertThat(l.defaultTier()).isEqualTo("free");
            assertThat(l.authLockout()).isEqualTo(Duration.ofMinutes(15));
        }

        @Test
        void aTierFromItsPathAnotherFromABudgetAndAnOverriddenField() {
            LimitsConfig l = LimitsSection.parse(values("tiers.gold.requests_per_minute", "500",
                    "KEYWARDEN_TIERS_PRO_CONCURRENT_REQUESTS", "3"), Set.of("silver"), new ArrayList<>());
            assertThat(l.tier("gold")).isEqualTo(new TierLimits("gold", 500, 0, 0, 0));
            assertThat(l.tier("silver")).isEqualTo(new TierLimits("silver", 0, 0, 0, 0));
            assertThat(l.tier("pro")).isEqualTo(new TierLimits("pro", 50, 100_000, 20_000, 3));
        }

        @Test
        void aNegativeLimitOrLockoutCountIsRefused() {
            assertThatThrownBy(() -> LimitsSection.parse(values("tiers.gold.concurrent_requests", "-1"), Set.of(), new ArrayList<>()))
                    .hasMessage("tiers.gold.concurrent_requests: '-1' must be a whole number, 0 for no limit");
            assertThatThrownBy(() -> LimitsSection.parse(values("KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "-5"), Set.of(), new ArrayList<>()))
                    .hasMessage("limits.auth_failures_per_minute (KEYWARDEN_AUTH_FAILURES_PER_MINUTE): '-5' must be a whole number,"
                            + " 0 for off");
        }
    }

    @Nested
    class Budgets {
        @Test
        void defaultsAreOnAtEightyPercentWithTheShippedTierBudgets() {
            BudgetSettings b = BudgetsSection.parse(values());
            assertThat(b.enabled()).isTrue();
            assertThat(b.softThreshold()).isEqualTo(0.8);
            assertThat(b.tiers()).isEqualTo(BudgetSettings.DEFAULT_TIERS);
            assertThat(b.tiers().get("free")).isEqualTo(new BudgetSettings.TierBudget(1_000_000_000L, 10_000_000_000L));
        }

        @Test
        void aTierBudgetKeepsTheOtherPeriodsDefault() {
            BudgetSettings b = BudgetsSection.parse(values("KEYWARDEN_TIERS_FREE_DAILY_BUDGET_USD", "0.25",
                    "tiers.gold.monthly_budget_usd", "100"));
            assertThat(b.tiers().get("free")).isEqualTo(new BudgetSettings.TierBudget(250_000_000L, 10_000_000_000L));
            assertThat(b.tiers().get("gold")).isEqualTo(new BudgetSettings.TierBudget(0, 100_000_000_000L));
        }

        @Test
        void aThresholdAboveOneOrANegativeAmountIsRefused() {
            assertThatThrownBy(() -> BudgetsSection.parse(values("KEYWARDEN_BUDGETS_SOFT_THRESHOLD", "1.5")))
                    .hasMessage("budgets.soft_threshold (KEYWARDEN_BUDGETS_SOFT_THRESHOLD): '1.5' must be a fraction above 0"
                            + " and at most 1, such as 0.8");
            assertThatThrownBy(() -> BudgetsSection.parse(values("tiers.pro.daily_budget_usd", "-1")))
                    .hasMessage("tiers.pro.daily_budget_usd: '-1' must not be negative (0 for no limit)");
        }
    }

    @Nested
    class Tokens {
        @Test
        void defaultsAreAnHourAndTenThousandUses() {
            assertThat(TokensSection.parse(values())).isEqualTo(TokensConfig.DEFAULTS).isEqualTo(new TokensConfig(Duration.ofHours(1), 10_000));
        }

        @Test
        void aLifetimeUnderASecondIsRefused() {
            assertThat(TokensSection.parse(values("tokens.max_ttl", "1d")).maxTtl()).isEqualTo(Duration.ofDays(1));
            assertThatThrownBy(() -> TokensSection.parse(values("KEYWARDEN_TOKENS_MAX_TTL", "500ms")))
                    .hasMessage("tokens.max_ttl (KEYWARDEN_TOKENS_MAX_TTL): '500ms' must be at least 1s");
        }
    }

    @Nested
    class Guard {
        @Test
        void defaultsBlockRedactAndFlag() {
            GuardConfig g = GuardSection.parse(values());
            assertThat(g).isEqualTo(GuardConfig.defaults());
            assertThat(g.mode()).isEqualTo(GuardMode.ENFORCE);
            assertThat(g.tierModes()).isEmpty();
        }

        @Test
        void aTiersModeAndModelsComeFromItsVariablesToo() {
            GuardConfig g = GuardSection.parse(values("KEYWARDEN_TIERS_FREE_MODELS", "claude-haiku-*,claude-3-5-haiku-latest",
                    "KEYWARDEN_TIERS_FREE_GUARD", "off"));
            assertThat(g.modelsFor("free")).containsExactly("claude-haiku-*", "claude-3-5-haiku-latest");
            assertThat(g.modeFor("free")).isEqualTo(GuardMode.OFF);
        }

        @Test
        void aBadActionNamesThePathAndTheVariable() {
            assertThatThrownBy(() -> GuardSection.parse(values("KEYWARDEN_GUARD_INJECTION", "redact")))
                    .hasMessage("guard.injection.action (KEYWARDEN_GUARD_INJECTION): 'redact' must be off, flag or block");
        }
    }

    @Nested
    class Anomaly {
        @Test
        void defaultsAreTheDocumentedOnes() {
            AnomalyConfig a = AnomalySection.parse(values());
            assertThat(a).isEqualTo(AnomalyConfig.defaults());
            assertThat(a.webhook()).isEmpty();
            assertThat(a.warmUp()).isEqualTo(Duration.ofDays(7));
        }

        @Test
        void aWebhookListOfDetectorsAndAZone() {
            AnomalyConfig a = AnomalySection.parse(values("alerts.webhook_url", "https://alerts.example.com/k",
                    "KEYWARDEN_ALERTS_WEBHOOK_SECRET", "z".repeat(32), "anomaly.suspend_on", "rate_spike, new_address"));
            assertThat(a.webhook()).get().extracting(AnomalyConfig.Webhook::maxAttempts).isEqualTo(5);
            assertThat(a.suspendOn()).containsExactlyInAnyOrder("rate_spike", "new_address");
        }

        @Test
        void aBadValueNamesThePathAndTheVariable() {
            assertThatThrownBy(() -> AnomalySection.parse(values("KEYWARDEN_ANOMALY_WARM_UP", "a week")))
                    .hasMessage("anomaly.warm_up (KEYWARDEN_ANOMALY_WARM_UP): 'a week' must be a duration such as 500ms, 30s, 10m,"
                            + " 1h or 7d");
        }
    }

    @Nested
    class Pricing {
        @Test
        void withoutAFileThereAreNoOverrides() {
            assertThat(PricingSection.parse(values(), dir)).isEqualTo(new PricingConfig(java.util.Optional.empty(), Map.of()));
        }

        @Test
        void theFileIsReadAtLoadRelativeToTheWorkingDirectory() throws Exception {
            Files.writeString(dir.resolve("p.yaml"), "models:\n  my-model: {input: 1, output: 2}\n");
            PricingConfig p = PricingSection.parse(values("KEYWARDEN_PRICING_FILE", "p.yaml"), dir);
            assertThat(p.models()).containsEntry("my-model", new PricingConfig.Prices(1, 2, 1.25, 0.1));
        }

        @Test
        void aMissingFileOrABadPriceIsAConfigurationError() throws Exception {
            assertThatThrownBy(() -> PricingSection.parse(values("pricing.file", "none.yaml"), dir))
                    .hasMessageStartingWith("pricing.file (KEYWARDEN_PRICING_FILE): ").hasMessageContaining("does not exist");
            Files.writeString(dir.resolve("p.yaml"), "models:\n  m: {input: -1, output: 2}\n");
            assertThatThrownBy(() -> PricingSection.parse(values("pricing.file", "p.yaml"), dir))
                    .hasMessage("pricing.file: p.yaml, model m: a price must be a number of dollars per million tokens, 0 or more");
        }
    }

    @Nested
    class Cors {
        @Test
        void defaultIsSameOriginOnly() {
            assertThat(CorsSection.parse(values()).allowedOrigins()).isEmpty();
        }

        @Test
        void originsAreACommaListAndAnythingWithAPathIsRefused() {
            assertThat(CorsSection.parse(values("KEYWARDEN_CORS_ALLOWED_ORIGINS", "https://a.example.com, http://b.example.com:8080"))
                    .allowedOrigins()).containsExactly("https://a.example.com", "http://b.example.com:8080");
            assertThatThrownBy(() -> CorsSection.parse(values("cors.allowed_origins", "https://a.example.com/app")))
                    .hasMessageStartingWith("cors.allowed_origins (KEYWARDEN_CORS_ALLOWED_ORIGINS): 'https://a.example.com/app'"
                            + " must list origins");
        }

        @Test
        void originsAreKeptInTheFormBrowsersSendThem() {
            CorsConfig c = CorsSection.parse(values("cors.allowed_origins", "HTTPS://App.Example.com:443, http://b.example.com:80,"
                    + " http://127.0.0.1:5173, https://app.example.com"));
            assertThat(c.allowedOrigins()).containsExactly("https://app.example.com", "http://b.example.com", "http://127.0.0.1:5173");
            assertThat(c.allowCredentials()).isFalse();
            assertThat(c.maxAge()).isEqualTo(Duration.ofMinutes(10));
        }

        @Test
        void nullIsRefusedAsAnAllowedOriginInOneLine() {
            assertThatThrownBy(() -> CorsSection.parse(values("KEYWARDEN_CORS_ALLOWED_ORIGINS", "https://a.example.com, null")))
                    .hasMessageStartingWith("cors.allowed_origins (KEYWARDEN_CORS_ALLOWED_ORIGINS): 'https://a.example.com, null'"
                            + " must not list null")
                    .hasMessageNotContaining("\n");
        }

        @Test
        void aWildcardWithCredentialsIsRefusedInOneLine() {
            assertThatThrownBy(() -> CorsSection.parse(values("cors.allowed_origins", "*", "cors.allow_credentials", "true")))
                    .hasMessageStartingWith("cors.allow_credentials (KEYWARDEN_CORS_ALLOW_CREDENTIALS): cannot be true while"
                            + " cors.allowed_origins holds *")
                    .hasMessageNotContaining("\n");
            assertThat(CorsSection.parse(values("cors.allowed_origins", "*")).anyOrigin()).isTrue();
        }

        @Test
        void credentialsAndMaxAgeAreRead() {
            CorsConfig c = CorsSection.parse(values("cors.allowed_origins", "https://a.example.com",
                    "KEYWARDEN_CORS_ALLOW_CREDENTIALS", "true", "cors.max_age", "2h"));
            assertThat(c.allowCredentials()).isTrue();
            assertThat(c.maxAge()).isEqualTo(Duration.ofHours(2));
            assertThatThrownBy(() -> CorsSection.parse(values("cors.max_age", "2d")))
                    .hasMessageStartingWith("cors.max_age (KEYWARDEN_CORS_MAX_AGE): '2d' must be at most 1d");
        }
    }
}
