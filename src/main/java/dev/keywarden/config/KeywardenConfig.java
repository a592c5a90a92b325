package dev.keywarden.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The whole, validated configuration of a gateway process. Built only by {@link ConfigLoader},
 * so every instance has passed validation; defaults live in {@link ConfigLoader} alone.
 *
 * @param shared  where state shared by several instances lives (store and limit state)
 * @param pricingFile   prices that override or extend the shipped table ({@code pricing.file})
 * @param alertSettings {@code anomaly.*} and {@code alerts.*} settings as given (validated by the anomaly package)
 * @param limits  rate limits: tiers, default tier, per-address lockout
 * @param budgetSettings {@code budgets.*} and {@code tiers.<name>.{daily,monthly}_budget_usd} as given (validated by
 *                       the budget package)
 * @param tokens  limits on short-lived tokens ({@code tokens.max_ttl}, {@code tokens.max_uses})
 * @param guardSettings {@code guard.*}, {@code tiers.<name>.guard}, {@code tiers.<name>.models} (YAML paths) and
 *                      {@code KEYWARDEN_GUARD_*} variables as given (validated by the guard package)
 * @param users   local accounts and browser sessions ({@code sessions.*}, {@code users.*})
 * @param oidc    OpenID Connect sign-in and IdP bearer tokens, when {@code oidc.issuer} is set
 * @param notices lines to log at start-up about how the configuration was assembled (e.g. a
 *                loaded {@code .env} file); never contain secret values
 */
public record KeywardenConfig(Environment environment, HostPort listen, Path dataDir,
                              UpstreamConfig upstream, ServerConfig server, AdminConfig admin, VaultConfig vault, AuditConfig audit,
                              SharedConfig shared, java.util.Map<String, String> alertSettings,
                              Optional<Path> pricingFile,
                              Optional<Secret> serverSecret, List<String> notices, LimitsConfig limits,
                              java.util.Map<String, String> budgetSettings,
                              TokensConfig tokens,

                              java.util.Map<String, String> guardSettings,
                              UsersConfig users, Optional<OidcConfig> oidc) {

    /** Demo mode: no provider key and no upstream URL configured, so the bundled fake upstream serves. */
    public boolean demoMode() {
        return upstream.apiKey().isEmpty() && !upstream.urlExplicit() && !vault.enabled();
    }
}
