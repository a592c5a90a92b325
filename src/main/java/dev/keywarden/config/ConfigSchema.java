package dev.keywarden.config;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every configuration section and its settings, in documentation order: the one list from which the
 * loader decides what a YAML path or environment variable means and from which {@link ConfigReference}
 * writes docs/configuration.md.
 *
 * <p>Guarantee: a YAML path that is not a setting, and a variable of a setting family
 * ({@code KEYWARDEN_TIERS_*}, {@code KEYWARDEN_GUARD_*}, {@code KEYWARDEN_BUDGETS_*},
 * {@code KEYWARDEN_ANOMALY_*}, {@code KEYWARDEN_ALERTS_*}, {@code KEYWARDEN_OIDC_*}, {@code KEYWARDEN_APPS_*}) that is not one, is
 * refused with one line naming it and the known settings, so a typo never passes silently.
 */
public final class ConfigSchema {

    /** One section of the reference: a title, one paragraph and its settings. */
    public record Section(String title, String about, List<Setting> settings) {
    }

    /** A group of settings sharing a YAML prefix and a variable prefix, whose unknown members are refused. */
    private record Family(String pathPrefix, String envPrefix, String hint) {
    }

    public static final List<Section> SECTIONS = List.of(
            new Section("General", "Where the gateway listens and keeps its data.", GeneralSection.SETTINGS),
            new Section("Client listener", "Limits, TLS and HTTP/2 of the listener clients call (`/v1/*`, `/api/*`, the UI).",
                    ServerSection.SETTINGS),
            new Section("Upstream", "Where and how the gateway calls Anthropic. Without a provider key, an upstream URL or the"
                    + " vault, `keywarden serve` runs the demo (a bundled fake upstream).", UpstreamSection.SETTINGS),
            new Section("Admin API", "The separate listener for operators (README, Admin API).", AdminSection.SETTINGS),
            new Section("Store and shared state", "Where virtual keys, settings and the audit trail live, and where live limit"
                    + " state is kept; `postgres` and `redis` let many instances share them.", SharedSection.SETTINGS),
            new Section("Vault", "Provider keys envelope-encrypted in the store (docs/vault.md).", VaultSection.SETTINGS),
            new Section("Audit trail", "How records are written (docs/audit.md).", AuditSection.SETTINGS),
            new Section("Rate limits and tiers", "Per-principal limits by tier, and the lockout of addresses that keep failing"
                    + " to authenticate (docs/limits.md). `<name>` is any lower-case tier name (letters, digits, `_`, `-`);"
                    + " in a variable it is upper case.", LimitsSection.SETTINGS),
            new Section("Budgets", "Spend budgets in USD per UTC day and month (docs/limits.md).", BudgetsSection.SETTINGS),
            new Section("Short-lived tokens", "Limits on `kw_tmp_` tokens (docs/tokens.md).", TokensSection.SETTINGS),
            new Section("Guardrails", "Checks of request bodies and model output (docs/guardrails.md).", GuardSection.SETTINGS),
            new Section("Anomaly detection and alerts", "Detectors over the stream of calls, and where alerts go"
                    + " (docs/alerts.md).", AnomalySection.SETTINGS),
            new Section("Pricing", "Prices per model, for cost in audit records, metrics and budgets.", PricingSection.SETTINGS),
            new Section("Cross-origin access", "Browsers calling the gateway from other origins.", CorsSection.SETTINGS),
            new Section("Users and sessions", "Browser sessions of user accounts and the throttling of failed sign-ins"
                    + " (docs/users-and-sessions.md).", UsersSection.SETTINGS),
            new Section("OpenID Connect", "Sign-in through an identity provider, and its access tokens as bearer credentials;"
                    + " off unless `oidc.issuer` is set (docs/users-and-sessions.md).", OidcSection.SETTINGS),
            new Section("Bring your own key", "Users' own Anthropic keys: how they may be kept, for which tiers, and the notice"
                    + " clients show (docs/byok.md).", ByokSection.SETTINGS),
            new Section("Chat apps", "What the chat endpoint (`POST /api/chat`) sends for each app: the browser names only the"
                    + " app and sends the user's turns (docs/bff.md). `<name>` is a lower-case app name; the app `default`"
                    + " always exists and serves requests that name none.", AppsSection.SETTINGS));

    private static final List<Setting> ALL = SECTIONS.stream().flatMap(s -> s.settings().stream()).toList();

    private static final List<Family> FAMILIES = List.of(
            new Family("tiers.", "KEYWARDEN_TIERS_", "tier settings are tiers.<name>.{" + String.join(",", fields("tiers."))
                    + "} with a lower-case tier name"),
            new Family("guard.", "KEYWARDEN_GUARD_", "guard settings are " + paths("guard.")
                    + ", tiers.<name>.guard and tiers.<name>.models"),
            new Family("budgets.", "KEYWARDEN_BUDGETS_", "budget settings are " + paths("budgets.")
                    + " and tiers.<name>.daily_budget_usd / monthly_budget_usd"),
            new Family("anomaly.", "KEYWARDEN_ANOMALY_", "known anomaly and alert settings are " + paths("anomaly.") + ", "
                    + paths("alerts.")),
            new Family("alerts.", "KEYWARDEN_ALERTS_", "known anomaly and alert settings are " + paths("anomaly.") + ", "
                    + paths("alerts.")),
            new Family("oidc.", "KEYWARDEN_OIDC_", "OpenID Connect settings are " + paths("oidc.")),
            new Family("byok.", "KEYWARDEN_BYOK_", "bring-your-own-key settings are " + paths("byok.")),
            new Family("apps.", "KEYWARDEN_APPS_", "app settings are apps.<name>.{" + String.join(",", fields("apps.")) + "}"
                    + " with a lower-case app name"));

    private ConfigSchema() {
    }

    /** Every setting, in documentation order. */
    public static List<Setting> settings() {
        return ALL;
    }

    /**
     * The setting {@code path} names: a fixed setting, or a pattern's setting for one tier (the tier name
     * lower-cased); empty when the path is no setting.
     */
    static Optional<Setting> find(String path) {
        for (Setting s : ALL) {
            if (!s.pattern()) {
                if (s.path().equals(path)) {
                    return Optional.of(s);
                }
                continue;
            }
            String prefix = s.path().substring(0, s.path().indexOf(Setting.NAME));
            String suffix = "." + s.field();
            if (path.startsWith(prefix) && path.endsWith(suffix) && path.length() > prefix.length() + suffix.length()) {
                String name = path.substring(prefix.length(), path.length() - suffix.length()).toLowerCase(Locale.ROOT);
                if (Setting.TIER_NAME.matcher(name).matches()) {
                    return Optional.of(s.named(name));
                }
            }
        }
        return Optional.empty();
    }

    /** The one-line error for {@code path}, which is no setting, found in {@code where} (a file name). */
    static ConfigException unknownPath(String path, String where) {
        for (Family f : FAMILIES) {
            if (path.startsWith(f.pathPrefix())) {
                return new ConfigException(path + ": unknown setting; " + f.hint());
            }
        }
        return new ConfigException(path + " in " + where + ": unknown setting;" + closest(path).map(c -> " did you mean " + c + "?")
                .orElse("") + " every setting is listed by keywarden config reference (docs/configuration.md)");
    }

    /** Refuses a variable of a setting family that is no setting (blank ones are ignored like unset ones). */
    static void checkEnvironment(Map<String, String> env) {
        env.forEach((name, value) -> {
            if (value == null || value.isBlank()) {
                return;
            }
            for (Family f : FAMILIES) {
                if (name.startsWith(f.envPrefix()) && !isSettingVariable(name)) {
                    throw new ConfigException(name + ": unknown setting; " + (f.pathPrefix().equals("tiers.")
                            ? "use KEYWARDEN_TIERS_<NAME>_{" + String.join(",", fields("tiers.")).toUpperCase(Locale.ROOT) + "}"
                            : f.hint()));
                }
            }
        });
    }

    /**
     * Refuses keys of {@code families} (first path segments, e.g. {@code guard}) that are no setting: the check
     * the loader makes on a file and the environment, for a flat map handed to one section (tests, tools).
     */
    static void checkKnown(Collection<String> keys, String... families) {
        Map<String, String> variables = new java.util.HashMap<>();
        for (String key : keys) {
            if (key.equals(key.toUpperCase(Locale.ROOT)) && !key.contains(".")) {
                variables.put(key, "x");
            } else if (List.of(families).contains(key.split("\\.", 2)[0]) && find(key).isEmpty()) {
                throw unknownPath(key, "the settings");
            }
        }
        checkEnvironment(variables);
    }

    private static boolean isSettingVariable(String name) {
        for (Setting s : ALL) {
            if (!s.pattern()) {
                if (s.env().equals(name)) {
                    return true;
                }
                continue;
            }
            Matcher m = Pattern.compile(Pattern.quote(s.env().substring(0, s.env().indexOf("<NAME>"))) + "(.+)"
                    + Pattern.quote(s.env().substring(s.env().indexOf("<NAME>") + "<NAME>".length()))).matcher(name);
            if (m.matches() && Setting.TIER_NAME.matcher(m.group(1).toLowerCase(Locale.ROOT)).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The fields of the pattern settings under {@code prefix} ({@code tiers.}, {@code apps.}). */
    private static List<String> fields(String prefix) {
        return ALL.stream().filter(s -> s.pattern() && s.path().startsWith(prefix)).map(Setting::field).toList();
    }

    private static String paths(String prefix) {
        return String.join(", ", ALL.stream().map(Setting::path).filter(p -> p.startsWith(prefix)).toList());
    }

    /** The fixed setting whose path is nearest to {@code path} (at most 3 edits away), for "did you mean". */
    private static Optional<String> closest(String path) {
        String best = null;
        int bestDistance = 4;
        for (Setting s : ALL) {
            int d = distance(path, s.path());
            if (!s.pattern() && d < bestDistance) {
                best = s.path();
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
