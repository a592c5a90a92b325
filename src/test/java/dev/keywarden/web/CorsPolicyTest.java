package dev.keywarden.web;

import dev.keywarden.config.CorsConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The decisions of {@link CorsPolicy} on header values alone. */
class CorsPolicyTest {

    static CorsPolicy policy(boolean credentials, String... origins) {
        return new CorsPolicy(new CorsConfig(List.of(origins), credentials, Duration.ofMinutes(10)));
    }

    @Test
    void withoutConfigurationNoOriginIsAllowedAndPreflightsAreRefusedAsNotEnabled() {
        CorsPolicy none = new CorsPolicy(CorsConfig.SAME_ORIGIN_ONLY);
        assertThat(none.actual("https://app.example.com")).isEmpty();
        CorsPolicy.Preflight p = none.preflight("https://app.example.com", "POST", null);
        assertThat(p.allowed()).isFalse();
        assertThat(p.refusal()).contains("not enabled");
    }

    @Test
    void originsAreComparedExactlyAndNullIsNeverAllowed() {
        CorsPolicy p = policy(false, "https://app.example.com");
        assertThat(p.allows("https://app.example.com")).isTrue();
        assertThat(p.allows("https://app.example.com:8443")).isFalse();
        assertThat(p.allows("http://app.example.com")).isFalse();
        assertThat(p.allows("https://app.example.com.evil.net")).isFalse();
        assertThat(p.allows("null")).isFalse();
        assertThat(policy(false, "*").allows("null")).isFalse();
        assertThat(p.allows(null)).isFalse();
    }

    @Test
    void credentialsGoOnlyWithAnEchoedListedOrigin() {
        assertThat(policy(true, "https://app.example.com").actual("https://app.example.com"))
                .containsEntry("Access-Control-Allow-Origin", "https://app.example.com")
                .containsEntry("Access-Control-Allow-Credentials", "true");
        assertThat(policy(false, "https://app.example.com").actual("https://app.example.com"))
                .doesNotContainKey("Access-Control-Allow-Credentials");
        // * is never combined with credentials, even if a config object said so
        assertThat(policy(true, "*").actual("https://any.example.org"))
                .containsEntry("Access-Control-Allow-Origin", "*").doesNotContainKey("Access-Control-Allow-Credentials");
        assertThat(policy(true, "https://app.example.com").credentialedOrigins()).containsExactly("https://app.example.com");
        assertThat(policy(false, "https://app.example.com").credentialedOrigins()).isEmpty();
    }

    @Test
    void aPreflightAllowsOnlyTheRoutesMethodsAndTheSdkHeaders() {
        CorsPolicy p = policy(false, "https://app.example.com");
        assertThat(p.preflight("https://app.example.com", "POST", "Content-Type, X-Api-Key, anthropic-beta, x-stainless-timeout")
                .allowed()).isTrue();
        assertThat(p.preflight("https://app.example.com", "PATCH", null).refusal()).contains("method PATCH");
        assertThat(p.preflight("https://app.example.com", "OPTIONS", null).allowed()).isFalse();
        assertThat(p.preflight("https://app.example.com", "POST", "cookie").refusal()).contains("header cookie");
        assertThat(p.preflight("https://app.example.com", "POST", "x-stainless-").allowed()).isFalse();
        assertThat(p.preflight("https://app.example.com", "POST", "x-stainless-a\"b").allowed()).isFalse();
    }

    @Test
    void aPreflightAnswerEchoesTheAllowedStainlessHeadersAndTheMaxAge() {
        CorsPolicy.Preflight p = policy(false, "https://app.example.com")
                .preflight("https://app.example.com", "POST", "x-stainless-retry-count");
        assertThat(p.headers().get("Access-Control-Allow-Headers")).contains("x-api-key", "x-stainless-retry-count");
        assertThat(p.headers()).containsEntry("Access-Control-Max-Age", "600")
                .containsEntry("Access-Control-Allow-Methods", "GET, POST, DELETE");
    }

    @Test
    void thePreflightChromiumSendsForTheTypeScriptSdkInBrowserModeIsAllowed() {
        // @anthropic-ai/sdk 1.12.0 client.mjs buildHeaders with dangerouslyAllowBrowser, as Chromium lists them
        String sdk = "accept,anthropic-beta,anthropic-dangerous-direct-browser-access,anthropic-version,content-type,x-api-key,"
                + "x-stainless-arch,x-stainless-helper-method,x-stainless-lang,x-stainless-os,x-stainless-package-version,"
                + "x-stainless-retry-count,x-stainless-runtime,x-stainless-runtime-version,x-stainless-timeout";
        CorsPolicy.Preflight p = policy(false, "https://app.example.com").preflight("https://app.example.com", "POST", sdk);
        assertThat(p.allowed()).as(p.refusal()).isTrue();
        assertThat(p.headers().get("Access-Control-Allow-Headers")).contains("x-stainless-runtime-version", "x-stainless-timeout");
        assertThat(policy(false, "https://app.example.com").preflight("https://app.example.com", "POST",
                "authorization,anthropic-version,content-type,anthropic-workspace-id").allowed()).isTrue();
    }
}
