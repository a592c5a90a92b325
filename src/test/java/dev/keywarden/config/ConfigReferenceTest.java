package dev.keywarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/configuration.md is exactly what the generator writes from the schema, and the schema is exactly
 * what the loader accepts: every setting it lists is read from its YAML path and from its variable, to the
 * same effect; a path or family variable it does not list is refused.
 */
class ConfigReferenceTest {

    /** A valid value other than the default, per setting (tier patterns by field); a new setting must add one. */
    static final Map<String, String> SAMPLES = new HashMap<>();
    /** Settings that only take effect together with others. */
    static final Map<String, Map<String, String>> COMPANIONS = new HashMap<>();

    static {
        String[][] samples = {
                {"environment", "production"}, {"listen", "127.0.0.1:9911"}, {"data_dir", "elsewhere"},
                {"server_secret", "a-server-secret-of-enough-length-0123456789"},
                {"server.max_body_bytes", "2MB"}, {"server.max_header_bytes", "32KB"}, {"server.idle_timeout", "45s"},
                {"server.trusted_proxies", "10.0.0.0/8, 2001:db8::/32"}, {"server.forwarded_header", "forwarded"},
                {"server.header_timeout", "5s"}, {"server.min_body_rate", "512"},
                {"server.tls.cert", "tls/gateway.crt"}, {"server.tls.key", "tls/gateway.key"}, {"server.tls.reload_interval", "5m"},
                {"server.h2c", "on"}, {"admin.tls.cert", "tls/admin.crt"}, {"admin.tls.key", "tls/admin.key"},
                {"upstream.url", "http://127.0.0.1:9"}, {"upstream.api_key", "sk-ant-api03-" + "k".repeat(60) + "TEST"},
                {"upstream.connect_timeout", "3s"}, {"upstream.idle_timeout", "2m"}, {"upstream.max_connections", "64"},
                {"upstream.forward_headers", "x-app"}, {"upstream.verify_key_at_start", "false"},
                {"admin.listen", "127.0.0.1:9912"},
                {"store", "postgres"}, {"postgres.url", "jdbc:postgresql://db:5432/kw"}, {"postgres.user", "kw"},
                {"postgres.password", "pg-password"}, {"postgres.pool_size", "4"}, {"state", "redis"},
                {"redis.url", "redis://cache:6380"}, {"redis.password", "redis-password"}, {"redis.on_failure", "local-fallback"},
                {"cluster.instances", "3"},
                {"vault.kek", "local"}, {"vault.passphrase", "a passphrase"}, {"vault.kms_key", "arn:aws:kms:eu-west-1:1:key/x"},
                {"vault.kms_endpoint", "http://127.0.0.1:4566"}, {"vault.key_environment", "staging"}, {"vault.cache_ttl", "1m"},
                {"audit.mode", "strict"}, {"audit.queue_size", "50"}, {"audit.mirror", "stdout"},
                {"limits.enabled", "off"}, {"limits.default_tier", "pro"}, {"limits.auth_failures_per_minute", "5"},
                {"limits.auth_lockout", "1h"},
                {"requests_per_minute", "7"}, {"input_tokens_per_minute", "700"}, {"output_tokens_per_minute", "70"},
                {"concurrent_requests", "3"}, {"daily_budget_usd", "2.5"}, {"monthly_budget_usd", "25"}, {"guard", "flag"},
                {"models", "claude-haiku-*"},
                {"budgets.enabled", "off"}, {"budgets.soft_threshold", "0.5"}, {"budgets.on_failure", "closed"},
                {"tokens.max_ttl", "10m"}, {"tokens.max_uses", "5"},
                {"guard.mode", "flag"}, {"guard.validation.enabled", "off"}, {"guard.validation.max_tokens", "1000"},
                {"guard.validation.max_messages", "10"}, {"guard.validation.max_prompt_chars", "5000"},
                {"guard.validation.max_tools", "4"}, {"guard.secrets.input", "block"}, {"guard.secrets.output", "flag"},
                {"guard.injection.action", "block"}, {"guard.injection.threshold", "2.5"},
                {"anomaly.enabled", "false"}, {"anomaly.queue_size", "10"}, {"anomaly.alert_cooldown", "1m"},
                {"anomaly.max_subjects", "20"}, {"anomaly.suspend_key", "true"}, {"anomaly.suspend_on", "rate_spike"},
                {"anomaly.warm_up", "1d"}, {"anomaly.rate_spike_factor", "3"}, {"anomaly.rate_spike_min_requests", "6"},
                {"anomaly.rate_baseline_minutes", "7"}, {"anomaly.rate_learning_minutes", "8"},
                {"anomaly.auth_failure_threshold", "9"}, {"anomaly.auth_failure_window", "2m"},
                {"anomaly.new_address_learning", "1d"}, {"anomaly.new_address_memory", "3"},
                {"anomaly.unusual_hour_min_requests", "11"}, {"anomaly.unusual_hour_learning", "2d"},
                {"anomaly.unusual_hour_max_share", "0.01"}, {"anomaly.timezone", "Europe/Berlin"},
                {"anomaly.token_spike_factor", "4"}, {"anomaly.token_spike_min_tokens", "12"},
                {"anomaly.token_learning_requests", "13"}, {"anomaly.tokens_per_request_max", "14"},
                {"anomaly.token_hour_spike_factor", "6"}, {"anomaly.token_hour_min_tokens", "15"},
                {"anomaly.token_learning_hours", "16"}, {"anomaly.tokens_per_hour_max", "17"},
                {"alerts.webhook_url", "https://alerts.example.com/hook"}, {"alerts.webhook_secret", "s".repeat(40)},
                {"alerts.webhook_max_attempts", "2"}, {"alerts.webhook_backoff", "3s"}, {"alerts.webhook_timeout", "4s"},
                {"pricing.file", "prices.yaml"}, {"cors.allowed_origins", "https://app.example.com"},
                {"cors.allow_credentials", "true"}, {"cors.max_age", "20m"},
                {"sessions.idle_timeout", "10m"}, {"sessions.absolute_lifetime", "8h"}, {"sessions.secure_cookie", "on"},
                {"users.login_failures_per_account", "3"}, {"users.login_failures_per_address", "30"},
                {"users.login_lockout", "10m"},
                {"oidc.issuer", "https://idp.example.com/realms/main"}, {"oidc.client_id", "keywarden-gw"},
                {"oidc.client_secret", "an-oidc-client-secret"}, {"oidc.client_secret_file", "oidc-client-secret"},
                {"oidc.redirect_uri", "https://gw.example.com/api/oidc/callback"}, {"oidc.scopes", "openid,email"},
                {"oidc.audience", "api://keywarden"}, {"oidc.groups_claim", "groups"}, {"oidc.group_roles", "ops=admin"},
                {"oidc.group_tiers", "paid=pro"}, {"oidc.jit", "on"},
                {"byok.enabled", "true"}, {"byok.modes", "sealed,session_only"}, {"byok.tiers", "free"},
                {"byok.count_toward_budget", "true"}, {"byok.notice", "Your key is kept encrypted; delete it here any time."},
                {"model", "claude-haiku-4-5"}, {"system_prompt", "You answer questions about gardening."}, {"max_tokens", "512"},
        };
        for (String[] s : samples) {
            SAMPLES.put(s[0], s[1]);
        }
        COMPANIONS.put("store", Map.of("KEYWARDEN_POSTGRES_URL", "jdbc:postgresql://db:5432/kw"));
        COMPANIONS.put("upstream.url", Map.of("KEYWARDEN_VAULT_KEK", "local"));
        COMPANIONS.put("vault.passphrase", Map.of("KEYWARDEN_VAULT_KEK", "passphrase"));
        COMPANIONS.put("vault.kms_endpoint", Map.of("KEYWARDEN_VAULT_KEK", "aws-kms", "KEYWARDEN_VAULT_KMS_KEY", "k"));
        COMPANIONS.put("vault.key_environment", Map.of("KEYWARDEN_VAULT_KEK", "local"));
        COMPANIONS.put("alerts.webhook_url", Map.of("KEYWARDEN_ALERTS_WEBHOOK_SECRET", "w".repeat(40)));
        COMPANIONS.put("alerts.webhook_secret", Map.of("KEYWARDEN_ALERTS_WEBHOOK_URL", "https://alerts.example.com/hook"));
        for (String s : List.of("alerts.webhook_max_attempts", "alerts.webhook_backoff", "alerts.webhook_timeout")) {
            COMPANIONS.put(s, Map.of("KEYWARDEN_ALERTS_WEBHOOK_URL", "https://alerts.example.com/hook",
                    "KEYWARDEN_ALERTS_WEBHOOK_SECRET", "w".repeat(40)));
        }
        COMPANIONS.put("server.tls.cert", Map.of("KEYWARDEN_TLS_KEY", "tls/gateway.key"));
        COMPANIONS.put("server.tls.key", Map.of("KEYWARDEN_TLS_CERT", "tls/gateway.crt"));
        COMPANIONS.put("server.tls.reload_interval", Map.of("KEYWARDEN_TLS_CERT", "tls/gateway.crt", "KEYWARDEN_TLS_KEY", "tls/gateway.key"));
        COMPANIONS.put("admin.tls.cert", Map.of("KEYWARDEN_ADMIN_TLS_KEY", "tls/admin.key"));
        COMPANIONS.put("admin.tls.key", Map.of("KEYWARDEN_ADMIN_TLS_CERT", "tls/admin.crt"));
        COMPANIONS.put("redis.on_failure", Map.of("KEYWARDEN_STATE", "redis"));
        COMPANIONS.put("redis.password", Map.of("KEYWARDEN_STATE", "redis"));
        Map<String, String> oidc = Map.of("KEYWARDEN_OIDC_ISSUER", "https://idp.example.com",
                "KEYWARDEN_OIDC_CLIENT_ID", "kw", "KEYWARDEN_OIDC_REDIRECT_URI", "https://gw.example.com/api/oidc/callback");
        for (Setting s : OidcSection.SETTINGS) {
            Map<String, String> companions = new HashMap<>(oidc);
            companions.remove(s.env());
            if (s == OidcSection.GROUP_ROLES || s == OidcSection.GROUP_TIERS) {
                companions.put("KEYWARDEN_OIDC_GROUPS_CLAIM", "groups");
            }
            COMPANIONS.put(s.path(), Map.copyOf(companions));
        }
    }

    @TempDir
    Path dir;

    @Test
    void docsConfigurationMdIsWhatTheGeneratorWrites() throws IOException {
        Path committed = Path.of("docs", "configuration.md");
        assertThat(Files.readString(committed, StandardCharsets.UTF_8))
                .as("docs/configuration.md is generated: run ./keywarden config reference > docs/configuration.md")
                .isEqualTo(ConfigReference.markdown());
    }

    @Test
    void theReferenceListsEverySettingWithItsVariableDefaultAndMeaning() {
        String md = ConfigReference.markdown();
        for (Setting s : ConfigSchema.settings()) {
            assertThat(md).contains("| `" + s.path() + "` | `" + s.env() + "` | ");
            assertThat(s.meaning()).as(s.path()).isNotBlank().doesNotContain("\n").doesNotContain("<");
            assertThat(s.shownDefault()).as(s.path()).doesNotContain("<");
        }
    }

    @Test
    void pathsAndVariablesAreUnique() {
        List<String> keys = new ArrayList<>();
        ConfigSchema.settings().forEach(s -> {
            keys.add(s.path());
            keys.add(s.env());
        });
        assertThat(new HashSet<>(keys)).hasSameSizeAs(keys);
    }

    @Test
    void everySettingOfTheReferenceIsReadFromItsPathAndItsVariableToTheSameEffect() throws IOException {
        Files.writeString(dir.resolve("prices.yaml"), "models:\n  my-model: {input: 1, output: 2}\n");
        Files.writeString(dir.resolve("oidc-client-secret"), "an-oidc-client-secret-from-a-file\n");
        for (Setting pattern : ConfigSchema.settings()) {
            Setting s = pattern.pattern() ? pattern.named("gold") : pattern;
            String sample = SAMPLES.get(pattern.pattern() ? pattern.field() : pattern.path());
            assertThat(sample).as("a sample value for " + pattern.path() + " in SAMPLES").isNotNull();
            Map<String, String> env = new HashMap<>(COMPANIONS.getOrDefault(pattern.path(), Map.of()));
            String baseline;
            try {
                baseline = render(load(env, null));
            } catch (ConfigException needsTheSetting) {
                baseline = "refused without " + s.path();
            }

            Path yaml = dir.resolve("k.yaml");
            Files.writeString(yaml, nested(s.path(), sample));
            String fromFile = render(load(env, yaml));
            Map<String, String> withVariable = new HashMap<>(env);
            withVariable.put(s.env(), sample);
            String fromVariable = render(load(withVariable, null));

            assertThat(fromVariable).as(s.env() + " and " + s.path() + " have the same effect").isEqualTo(fromFile);
            if (!sample.equals(pattern.defaultValue())) {
                assertThat(fromVariable).as(s.env() + " is read").isNotEqualTo(baseline);
            }
        }
    }

    @Test
    void aPathOrFamilyVariableOutsideTheReferenceIsRefused() throws IOException {
        Map<String, String> expected = Map.of(
                "listen_port", "listen_port in k.yaml: unknown setting",
                "upstream.urll", "upstream.urll in k.yaml: unknown setting",
                "cors.origins", "cors.origins in k.yaml: unknown setting",
                "guard.secrets.in", "guard.secrets.in: unknown setting; guard settings are guard.mode",
                "budgets.soft_treshold", "budgets.soft_treshold: unknown setting; budget settings are budgets.enabled",
                "anomaly.rate_spike_factr", "anomaly.rate_spike_factr: unknown setting; known anomaly and alert settings",
                "alerts.webhook", "alerts.webhook: unknown setting; known anomaly and alert settings",
                "tiers.free.requests", "tiers.free.requests: unknown setting; tier settings are tiers.<name>.{",
                "tiers.free", "tiers.free: unknown setting; tier settings");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path yaml = dir.resolve("k.yaml");
            Files.writeString(yaml, nested(e.getKey(), "1"));
            assertThatThrownBy(() -> load(Map.of(), yaml)).as(e.getKey()).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(e.getValue());
        }
        for (String variable : List.of("KEYWARDEN_GUARD_MODES", "KEYWARDEN_BUDGETS_SOFT", "KEYWARDEN_ANOMALY_X",
                "KEYWARDEN_ALERTS_WEBHOOK", "KEYWARDEN_TIERS_FREE_REQUESTS")) {
            assertThatThrownBy(() -> load(Map.of(variable, "1"), null)).as(variable).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(variable + ": unknown setting");
        }
    }

    @Test
    void aTypoNextToAKnownSettingIsAnsweredWithItsName() throws IOException {
        Path yaml = Files.writeString(dir.resolve("k.yaml"), "upstream:\n  urll: http://x\n");
        assertThatThrownBy(() -> load(Map.of(), yaml)).hasMessageContaining("did you mean upstream.url?");
    }

    private KeywardenConfig load(Map<String, String> env, Path yaml) {
        return ConfigLoader.from(env, dir).configFile(yaml).load();
    }

    /** {@code a.b.c: v} as nested YAML. */
    static String nested(String path, String value) {
        String[] parts = path.split("\\.");
        StringBuilder y = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            y.append("  ".repeat(i)).append(parts[i]).append(':');
            y.append(i == parts.length - 1 ? " '" + value.replace("'", "''") + "'\n" : "\n");
        }
        return y.toString();
    }

    /** Every value of the configuration, secrets revealed and maps sorted, notices left out. */
    static String render(KeywardenConfig c) {
        Map<String, Object> m = new TreeMap<>();
        for (var method : KeywardenConfig.class.getDeclaredMethods()) {
            if (method.getParameterCount() == 0 && java.lang.reflect.Modifier.isPublic(method.getModifiers())
                    && !List.of("notices", "toString", "hashCode", "demoMode").contains(method.getName())) {
                try {
                    m.put(method.getName(), canonical(method.invoke(c)));
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return m.toString();
    }

    private static Object canonical(Object o) throws ReflectiveOperationException {
        if (o instanceof Secret s) {
            return "secret:" + s.reveal();
        }
        if (o instanceof Optional<?> opt) {
            return opt.isPresent() ? "some:" + canonical(opt.get()) : "none";
        }
        if (o instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            for (var e : map.entrySet()) {
                sorted.put(String.valueOf(e.getKey()), canonical(e.getValue()));
            }
            return sorted;
        }
        if (o instanceof Set<?> set) {
            return new java.util.TreeSet<>(set.stream().map(String::valueOf).toList());
        }
        if (o instanceof Collection<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object x : list) {
                out.add(canonical(x));
            }
            return out;
        }
        if (o != null && o.getClass().isRecord()) {
            Map<String, Object> fields = new TreeMap<>();
            for (RecordComponent rc : o.getClass().getRecordComponents()) {
                if (rc.getName().equals("apiKeySetting")) {
                    continue; // names where the key came from (the variable or the file), on purpose
                }
                fields.put(rc.getName(), canonical(rc.getAccessor().invoke(o)));
            }
            return fields;
        }
        return String.valueOf(o);
    }
}
