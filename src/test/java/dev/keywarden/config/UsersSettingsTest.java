package dev.keywarden.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsersSettingsTest {

    @TempDir
    Path dir;

    KeywardenConfig load(Map<String, String> env) {
        return ConfigLoader.from(env, dir).load();
    }

    @Test
    void sessionDefaultsAreThirtyMinutesIdleAndTwelveHoursAbsolute() {
        UsersConfig u = load(Map.of()).users();
        assertThat(u.sessionIdleTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(u.sessionLifetime()).isEqualTo(Duration.ofHours(12));
        assertThat(u.loginFailuresPerAccount()).isEqualTo(5);
        assertThat(u.loginFailuresPerAddress()).isEqualTo(20);
        assertThat(u.loginLockout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theCookieIsSecureExceptInPlainHttpLoopbackDevelopmentWhichIsSaidAtStartUp() {
        KeywardenConfig loopback = load(Map.of());
        assertThat(loopback.users().secureCookie()).isFalse();
        assertThat(loopback.notices()).anyMatch(n -> n.startsWith("WARN the session cookie is kw_session without Secure"));
        assertThat(load(Map.of("KEYWARDEN_LISTEN", "0.0.0.0:8787")).users().secureCookie()).isTrue();
        assertThat(load(Map.of("KEYWARDEN_ENV", "production", "KEYWARDEN_LISTEN", "127.0.0.1:8787")).users().secureCookie()).isTrue();
        assertThat(load(Map.of("KEYWARDEN_SESSION_SECURE_COOKIE", "on")).users().secureCookie()).isTrue();
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_ENV", "production", "KEYWARDEN_SESSION_SECURE_COOKIE", "off")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("sessions.secure_cookie (KEYWARDEN_SESSION_SECURE_COOKIE)");
    }

    @Test
    void badSessionSettingsStopStartUpNamingTheSetting() {
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_SESSION_IDLE_TIMEOUT", "13h")))
                .hasMessageStartingWith("sessions.idle_timeout (KEYWARDEN_SESSION_IDLE_TIMEOUT): must not be longer than");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_SESSION_LIFETIME", "10s")))
                .hasMessageContaining("sessions.absolute_lifetime").hasMessageContaining("at least 1m");
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_LOGIN_FAILURES_PER_ACCOUNT", "-1")))
                .hasMessageContaining("users.login_failures_per_account");
    }

    static Map<String, String> oidc() {
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARDEN_OIDC_ISSUER", "https://idp.example.com/realms/main");
        env.put("KEYWARDEN_OIDC_CLIENT_ID", "keywarden");
        env.put("KEYWARDEN_OIDC_REDIRECT_URI", "https://gw.example.com/api/oidc/callback");
        return env;
    }

    @Test
    void oidcIsOffWithoutAnIssuerAndOtherOidcSettingsThenStopStartUp() {
        assertThat(load(Map.of()).oidc()).isEmpty();
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_OIDC_CLIENT_ID", "x")))
                .hasMessageStartingWith("oidc.client_id (KEYWARDEN_OIDC_CLIENT_ID): is set but oidc.issuer");
    }

    @Test
    void aFullOidcConfigurationIsReadWithDefaults() {
        Map<String, String> env = oidc();
        env.put("KEYWARDEN_OIDC_SCOPES", "profile email");
        env.put("KEYWARDEN_OIDC_GROUPS_CLAIM", "groups");
        env.put("KEYWARDEN_OIDC_GROUP_ROLES", "ops=admin");
        env.put("KEYWARDEN_OIDC_GROUP_TIERS", "paid=pro,big=enterprise");
        env.put("KEYWARDEN_OIDC_JIT", "on");
        OidcConfig o = load(env).oidc().orElseThrow();
        assertThat(o.scopes()).containsExactly("openid", "profile", "email");
        assertThat(o.audience()).isEqualTo("keywarden");
        assertThat(o.clientSecret()).isEmpty();
        assertThat(o.groupRoles()).containsEntry("ops", "admin");
        assertThat(o.groupTiers().keySet()).containsExactly("paid", "big");
        assertThat(o.jit()).isTrue();
    }

    @Test
    void oidcMistakesStopStartUpWithOneLineNamingTheSetting() {
        Map<String, String> env = oidc();
        env.put("KEYWARDEN_OIDC_ISSUER", "http://idp.example.com");
        assertThatThrownBy(() -> load(env)).hasMessageStartingWith("oidc.issuer (KEYWARDEN_OIDC_ISSUER)").hasMessageContaining("https");
        Map<String, String> noRedirect = oidc();
        noRedirect.remove("KEYWARDEN_OIDC_REDIRECT_URI");
        assertThatThrownBy(() -> load(noRedirect)).hasMessageStartingWith("oidc.redirect_uri (KEYWARDEN_OIDC_REDIRECT_URI): required");
        Map<String, String> badRole = oidc();
        badRole.put("KEYWARDEN_OIDC_GROUPS_CLAIM", "groups");
        badRole.put("KEYWARDEN_OIDC_GROUP_ROLES", "ops=root");
        assertThatThrownBy(() -> load(badRole)).hasMessageContaining("a role is user or admin");
        Map<String, String> badTier = oidc();
        badTier.put("KEYWARDEN_OIDC_GROUPS_CLAIM", "groups");
        badTier.put("KEYWARDEN_OIDC_GROUP_TIERS", "ops=platinum");
        assertThatThrownBy(() -> load(badTier)).hasMessageContaining("tier 'platinum'");
        Map<String, String> noClaim = oidc();
        noClaim.put("KEYWARDEN_OIDC_GROUP_ROLES", "ops=admin");
        assertThatThrownBy(() -> load(noClaim)).hasMessageStartingWith("oidc.groups_claim");
        for (Map<String, String> bad : List.of(env, noRedirect, badRole, badTier, noClaim)) {
            assertThatThrownBy(() -> load(bad)).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void theClientSecretComesFromTheEnvironmentOrAFileAndIsNeverShown() throws Exception {
        String secret = "oidc-client-secret-" + System.nanoTime();
        Map<String, String> env = oidc();
        env.put("KEYWARDEN_OIDC_CLIENT_SECRET", secret);
        KeywardenConfig fromEnv = load(env);
        assertThat(fromEnv.oidc().orElseThrow().clientSecret().orElseThrow().reveal()).isEqualTo(secret);
        assertThat(fromEnv.oidc().toString() + fromEnv.notices()).doesNotContain(secret);

        Path file = Files.writeString(dir.resolve("client-secret"), secret + "\n");
        Map<String, String> fromFile = oidc();
        fromFile.put("KEYWARDEN_OIDC_CLIENT_SECRET_FILE", file.toString());
        assertThat(load(fromFile).oidc().orElseThrow().clientSecret().orElseThrow().reveal()).isEqualTo(secret);

        Path yaml = Files.writeString(dir.resolve("keywarden.yaml"), "oidc:\n  issuer: https://idp.example.com\n  client_id: kw\n"
                + "  redirect_uri: https://gw.example.com/api/oidc/callback\n  client_secret: " + secret + "\n"
                + "  scopes: [openid, email]\n");
        KeywardenConfig fromYaml = ConfigLoader.from(Map.of(), dir).configFile(yaml).load();
        assertThat(fromYaml.notices()).anyMatch(n -> n.contains("OIDC client secret is stored in the config file"));
        assertThat(fromYaml.oidc().orElseThrow().scopes()).containsExactly("openid", "email");
        assertThat(fromYaml.notices().toString()).doesNotContain(secret);
    }

    @Test
    void groupMappingsAndScopesAreReadAsYamlListsOrCommaSeparated() throws Exception {
        Path yaml = Files.writeString(dir.resolve("keywarden.yaml"), "oidc:\n  issuer: https://idp.example.com\n  client_id: kw\n"
                + "  redirect_uri: https://gw.example.com/api/oidc/callback\n  groups_claim: groups\n"
                + "  scopes:\n    - email\n    - profile\n"
                + "  group_roles: [ops=admin, staff=user]\n  group_tiers:\n    - paid=pro\n    - big=enterprise\n");
        OidcConfig fromYaml = ConfigLoader.from(Map.of(), dir).configFile(yaml).load().oidc().orElseThrow();
        assertThat(fromYaml.scopes()).containsExactly("openid", "email", "profile");
        assertThat(fromYaml.groupRoles()).containsExactly(Map.entry("ops", "admin"), Map.entry("staff", "user"));
        assertThat(fromYaml.groupTiers()).containsExactly(Map.entry("paid", "pro"), Map.entry("big", "enterprise"));

        Map<String, String> env = oidc();
        env.put("KEYWARDEN_OIDC_GROUPS_CLAIM", "groups");
        env.put("KEYWARDEN_OIDC_GROUP_ROLES", "ops=admin,staff=user");
        env.put("KEYWARDEN_OIDC_GROUP_TIERS", "paid=pro,big=enterprise");
        OidcConfig fromEnv = load(env).oidc().orElseThrow();
        assertThat(fromEnv.groupRoles()).isEqualTo(fromYaml.groupRoles());
        assertThat(fromEnv.groupTiers()).isEqualTo(fromYaml.groupTiers());
    }

    @Test
    void aMistypedOidcVariableOrKeyStopsStartUpNamingTheKnownSettings() throws Exception {
        Map<String, String> env = oidc();
        env.put("KEYWARDEN_OIDC_CLIENT_SECRETT", "whatever");
        assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("KEYWARDEN_OIDC_CLIENT_SECRETT: unknown setting; OpenID Connect settings are oidc.issuer")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("whatever"));
        Path yaml = Files.writeString(dir.resolve("keywarden.yaml"), "oidc:\n  issuer: https://idp.example.com\n  jitt: on\n");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of(), dir).configFile(yaml).load()).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("oidc.jitt: unknown setting; OpenID Connect settings are");
        Path sessions = Files.writeString(dir.resolve("k2.yaml"), "sessions:\n  idle: 5m\n");
        assertThatThrownBy(() -> ConfigLoader.from(Map.of(), dir).configFile(sessions).load()).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sessions.idle in k2.yaml: unknown setting");
    }

    @Test
    void anOidcSettingWithADefaultIsAlsoRefusedWithoutAnIssuer() {
        assertThatThrownBy(() -> load(Map.of("KEYWARDEN_OIDC_JIT", "on")))
                .hasMessageStartingWith("oidc.jit (KEYWARDEN_OIDC_JIT): is set but oidc.issuer");
    }

    @Test
    void anIssuerWithCredentialsIsRefusedWithoutQuotingThem() {
        Map<String, String> env = oidc();
        env.put("KEYWARDEN_OIDC_ISSUER", "https://admin:hunter2-pass@idp.example.com");
        assertThatThrownBy(() -> load(env)).hasMessageStartingWith("oidc.issuer (KEYWARDEN_OIDC_ISSUER)")
                .hasMessageContaining("credentials").satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }
}
