package dev.keywarden.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The settings of local accounts, sessions and OpenID Connect ({@code sessions.*}, {@code users.*},
 * {@code oidc.*}): their names, defaults and validation, kept apart from {@link ConfigLoader}'s own
 * so they can move into the typed model as one piece. Errors are one line naming the setting and the fix,
 * and never quote the client secret.
 */
final class UsersSettings {

    static final ConfigLoader.Setting SESSION_IDLE = new ConfigLoader.Setting("sessions.idle_timeout",
            "KEYWARDEN_SESSION_IDLE_TIMEOUT", "30m", false);
    static final ConfigLoader.Setting SESSION_LIFETIME = new ConfigLoader.Setting("sessions.absolute_lifetime",
            "KEYWARDEN_SESSION_LIFETIME", "12h", false);
    static final ConfigLoader.Setting SESSION_SECURE_COOKIE = new ConfigLoader.Setting("sessions.secure_cookie",
            "KEYWARDEN_SESSION_SECURE_COOKIE", "auto", false);
    static final ConfigLoader.Setting LOGIN_PER_ACCOUNT = new ConfigLoader.Setting("users.login_failures_per_account",
            "KEYWARDEN_LOGIN_FAILURES_PER_ACCOUNT", "5", false);
    static final ConfigLoader.Setting LOGIN_PER_ADDRESS = new ConfigLoader.Setting("users.login_failures_per_address",
            "KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "20", false);
    static final ConfigLoader.Setting LOGIN_LOCKOUT = new ConfigLoader.Setting("users.login_lockout",
            "KEYWARDEN_LOGIN_LOCKOUT", "5m", false);

    static final ConfigLoader.Setting OIDC_ISSUER = new ConfigLoader.Setting("oidc.issuer", "KEYWARDEN_OIDC_ISSUER", null, false);
    static final ConfigLoader.Setting OIDC_CLIENT_ID = new ConfigLoader.Setting("oidc.client_id", "KEYWARDEN_OIDC_CLIENT_ID", null, false);
    static final ConfigLoader.Setting OIDC_CLIENT_SECRET = new ConfigLoader.Setting("oidc.client_secret",
            "KEYWARDEN_OIDC_CLIENT_SECRET", null, true);
    static final ConfigLoader.Setting OIDC_CLIENT_SECRET_FILE = new ConfigLoader.Setting("oidc.client_secret_file",
            "KEYWARDEN_OIDC_CLIENT_SECRET_FILE", null, false);
    static final ConfigLoader.Setting OIDC_REDIRECT_URI = new ConfigLoader.Setting("oidc.redirect_uri",
            "KEYWARDEN_OIDC_REDIRECT_URI", null, false);
    static final ConfigLoader.Setting OIDC_SCOPES = new ConfigLoader.Setting("oidc.scopes", "KEYWARDEN_OIDC_SCOPES",
            "openid,profile,email", false);
    static final ConfigLoader.Setting OIDC_AUDIENCE = new ConfigLoader.Setting("oidc.audience", "KEYWARDEN_OIDC_AUDIENCE", null, false);
    static final ConfigLoader.Setting OIDC_GROUPS_CLAIM = new ConfigLoader.Setting("oidc.groups_claim",
            "KEYWARDEN_OIDC_GROUPS_CLAIM", null, false);
    static final ConfigLoader.Setting OIDC_GROUP_ROLES = new ConfigLoader.Setting("oidc.group_roles",
            "KEYWARDEN_OIDC_GROUP_ROLES", null, false);
    static final ConfigLoader.Setting OIDC_GROUP_TIERS = new ConfigLoader.Setting("oidc.group_tiers",
            "KEYWARDEN_OIDC_GROUP_TIERS", null, false);
    static final ConfigLoader.Setting OIDC_JIT = new ConfigLoader.Setting("oidc.jit", "KEYWARDEN_OIDC_JIT", "off", false);

    static final List<ConfigLoader.Setting> SETTINGS = List.of(SESSION_IDLE, SESSION_LIFETIME, SESSION_SECURE_COOKIE,
            LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS, LOGIN_LOCKOUT, OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
            OIDC_CLIENT_SECRET_FILE, OIDC_REDIRECT_URI, OIDC_SCOPES, OIDC_AUDIENCE, OIDC_GROUPS_CLAIM, OIDC_GROUP_ROLES,
            OIDC_GROUP_TIERS, OIDC_JIT);

    private static final List<ConfigLoader.Setting> OIDC_SETTINGS = SETTINGS.stream()
            .filter(s -> s.path().startsWith("oidc.")).toList();

    private UsersSettings() {
    }

    /** Settings whose YAML value may be a list (joined with commas). */
    static boolean listValued(String path) {
        return path.equals(OIDC_SCOPES.path()) || path.equals(OIDC_GROUP_ROLES.path()) || path.equals(OIDC_GROUP_TIERS.path());
    }

    static UsersConfig users(Map<String, String> values, Environment environment, HostPort listen, List<String> notices) {
        Duration idle = ConfigLoader.parse(SESSION_IDLE, values.get(SESSION_IDLE.path()), UsersSettings::atLeastOneMinute);
        Duration lifetime = ConfigLoader.parse(SESSION_LIFETIME, values.get(SESSION_LIFETIME.path()), UsersSettings::atLeastOneMinute);
        if (idle.compareTo(lifetime) > 0) {
            throw new ConfigException(SESSION_IDLE.label() + ": must not be longer than " + SESSION_LIFETIME.label()
                    + " (" + lifetime + "); shorten it or lengthen the lifetime");
        }
        String cookie = ConfigLoader.parse(SESSION_SECURE_COOKIE, values.get(SESSION_SECURE_COOKIE.path()), raw -> {
            String v = raw.strip().toLowerCase(Locale.ROOT);
            if (!List.of("auto", "on", "off").contains(v)) {
                throw new IllegalArgumentException("must be auto (Secure unless a development gateway listens on loopback only),"
                        + " on or off");
            }
            return v;
        });
        boolean loopbackDevelopment = environment == Environment.DEVELOPMENT && isLoopback(listen.host());
        if (cookie.equals("off") && environment == Environment.PRODUCTION) {
            throw new ConfigException(SESSION_SECURE_COOKIE.label() + ": off is for plain-HTTP development only; in production"
                    + " serve the gateway over HTTPS (TLS or a TLS proxy) and set it to auto or on");
        }
        boolean secure = cookie.equals("on") || (cookie.equals("auto") && !loopbackDevelopment);
        if (!secure) {
            notices.add("WARN the session cookie is kw_session without Secure (plain-HTTP "
                    + (cookie.equals("off") ? "development, sessions.secure_cookie: off" : "loopback development")
                    + "); behind HTTPS it is __Host-kw_session with Secure (sessions.secure_cookie: auto outside loopback development, or on)");
        }
        int perAccount = ConfigLoader.parse(LOGIN_PER_ACCOUNT, values.get(LOGIN_PER_ACCOUNT.path()), UsersSettings::count);
        int perAddress = ConfigLoader.parse(LOGIN_PER_ADDRESS, values.get(LOGIN_PER_ADDRESS.path()), UsersSettings::count);
        Duration lockout = ConfigLoader.parse(LOGIN_LOCKOUT, values.get(LOGIN_LOCKOUT.path()), raw -> {
            Duration d = Values.duration(raw);
            if (d.toSeconds() < 1) {
                throw new IllegalArgumentException("must be at least 1s");
            }
            return d;
        });
        if (perAccount == 0 || perAddress == 0) {
            notices.add("WARN failed sign-ins are not throttled per " + (perAccount == 0 ? "account" : "client address")
                    + " (users.login_failures_per_" + (perAccount == 0 ? "account" : "address") + ": 0)");
        }
        return new UsersConfig(idle, lifetime, secure, perAccount, perAddress, lockout);
    }

    /**
     * The OIDC settings, or empty when {@code oidc.issuer} is not set (then no other {@code oidc.*} setting may be).
     *
     * @param knownTier   which tier names exist (for {@code oidc.group_tiers})
     * @param secretInYaml whether {@code oidc.client_secret} came from the config file (a warning)
     */
    static Optional<OidcConfig> oidc(Map<String, String> values, Predicate<String> knownTier, boolean secretInYaml,
                                     Path workingDir, List<String> notices) {
        String issuerRaw = values.get(OIDC_ISSUER.path());
        if (issuerRaw == null || issuerRaw.isBlank()) {
            for (ConfigLoader.Setting s : OIDC_SETTINGS) {
                if (s.defaultValue() == null && values.get(s.path()) != null) {
                    throw new ConfigException(s.label() + ": is set but " + OIDC_ISSUER.label()
                            + " is not; set the issuer URL of your identity provider, or remove the oidc settings");
                }
            }
            return Optional.empty();
        }
        URI issuer = ConfigLoader.parse(OIDC_ISSUER, issuerRaw, UsersSettings::url);
        String clientId = required(values, OIDC_CLIENT_ID, "the client id registered for this gateway at the identity provider");
        URI redirect = ConfigLoader.parse(OIDC_REDIRECT_URI, required(values, OIDC_REDIRECT_URI,
                "this gateway's callback URL, e.g. https://gateway.example.com/api/oidc/callback"), UsersSettings::url);
        if (!redirect.getPath().endsWith("/api/oidc/callback")) {
            notices.add("WARN " + OIDC_REDIRECT_URI.label() + " does not end in /api/oidc/callback, where the gateway receives"
                    + " the identity provider's answer; a proxy in front must map it there");
        }
        Optional<Secret> secret = clientSecret(values, workingDir);
        if (secretInYaml && values.get(OIDC_CLIENT_SECRET_FILE.path()) == null) {
            notices.add("WARN the OIDC client secret is stored in the config file (oidc.client_secret); prefer "
                    + OIDC_CLIENT_SECRET.env() + " or oidc.client_secret_file");
        }
        List<String> scopes = new ArrayList<>();
        for (String s : values.get(OIDC_SCOPES.path()).split("[,\\s]+")) {
            if (!s.isBlank() && !scopes.contains(s.strip())) {
                scopes.add(s.strip());
            }
        }
        if (!scopes.contains("openid")) {
            scopes.add(0, "openid");
        }
        String audience = Optional.ofNullable(values.get(OIDC_AUDIENCE.path())).map(String::strip).orElse(clientId);
        Optional<String> groupsClaim = Optional.ofNullable(values.get(OIDC_GROUPS_CLAIM.path())).map(String::strip)
                .filter(s -> !s.isEmpty());
        Map<String, String> roles = mapping(OIDC_GROUP_ROLES, values.get(OIDC_GROUP_ROLES.path()), role -> {
            if (!role.equals("user") && !role.equals("admin")) {
                throw new IllegalArgumentException("maps a group to '" + role + "'; a role is user or admin");
            }
        });
        Map<String, String> tiers = mapping(OIDC_GROUP_TIERS, values.get(OIDC_GROUP_TIERS.path()), tier -> {
            if (!knownTier.test(tier)) {
                throw new IllegalArgumentException("maps a group to tier '" + tier + "', which is not configured (tiers.<name>)");
            }
        });
        if ((!roles.isEmpty() || !tiers.isEmpty()) && groupsClaim.isEmpty()) {
            throw new ConfigException(OIDC_GROUPS_CLAIM.label() + ": required with oidc.group_roles or oidc.group_tiers; set the"
                    + " claim that holds the user's groups, e.g. groups");
        }
        boolean jit = ConfigLoader.parse(OIDC_JIT, values.get(OIDC_JIT.path()), raw -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("must be on (create unknown users at first sign-in) or off");
        });
        notices.add("INFO OpenID Connect sign-in via " + issuer + " (client " + clientId + ", "
                + (secret.isPresent() ? "confidential" : "public client with PKCE only") + "; new users "
                + (jit ? "created at first sign-in" : "must be added first: keywarden users add --oidc-subject") + ")");
        return Optional.of(new OidcConfig(issuer, clientId, secret, redirect, List.copyOf(scopes), audience, groupsClaim,
                roles, tiers, jit));
    }

    private static Optional<Secret> clientSecret(Map<String, String> values, Path workingDir) {
        String file = values.get(OIDC_CLIENT_SECRET_FILE.path());
        String inline = values.get(OIDC_CLIENT_SECRET.path());
        if (file != null && inline != null) {
            throw new ConfigException(OIDC_CLIENT_SECRET.label() + " and " + OIDC_CLIENT_SECRET_FILE.label()
                    + " are both set; keep one");
        }
        if (file != null) {
            Path path = workingDir.resolve(file.strip());
            try {
                String text = Files.readString(path, StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    throw new ConfigException(OIDC_CLIENT_SECRET_FILE.label() + ": " + path + " is empty; put the client secret in it");
                }
                return Optional.of(Secret.of(text));
            } catch (IOException e) {
                throw new ConfigException(OIDC_CLIENT_SECRET_FILE.label() + ": cannot read " + path + " ("
                        + e.getClass().getSimpleName() + "); make it readable by the gateway");
            }
        }
        return Optional.ofNullable(inline).map(String::strip).filter(s -> !s.isEmpty()).map(Secret::of);
    }

    private static String required(Map<String, String> values, ConfigLoader.Setting s, String what) {
        String v = values.get(s.path());
        if (v == null || v.isBlank()) {
            throw new ConfigException(s.label() + ": required with oidc.issuer; set it to " + what);
        }
        return v.strip();
    }

    /** {@code group=value,group2=value2}, in order. */
    private static Map<String, String> mapping(ConfigLoader.Setting s, String raw, java.util.function.Consumer<String> check) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) {
            return out;
        }
        for (String pair : raw.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.lastIndexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new ConfigException(s.label() + ": '" + pair.strip() + "' must be GROUP=VALUE, e.g. admins=admin");
            }
            String value = pair.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
            try {
                check.accept(value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(s.label() + ": " + e.getMessage());
            }
            out.put(pair.substring(0, eq).strip(), value);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static URI url(String raw) {
        URI u;
        try {
            u = new URI(raw.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("must be an https URL");
        }
        if (u.getScheme() == null || u.getHost() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http"))) {
            throw new IllegalArgumentException("must be an https URL");
        }
        if (u.getUserInfo() != null || u.getFragment() != null) {
            throw new IllegalArgumentException("must not contain credentials or a fragment");
        }
        if (u.getScheme().equals("http") && !isLoopback(u.getHost())) {
            throw new IllegalArgumentException("must use https (plain http only for a loopback host in development)");
        }
        return u;
    }

    private static Duration atLeastOneMinute(String raw) {
        Duration d = Values.duration(raw);
        if (d.toSeconds() < 60) {
            throw new IllegalArgumentException("must be at least 1m");
        }
        return d;
    }

    private static int count(String raw) {
        int n;
        try {
            n = Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number (0 turns this throttle off)");
        }
        if (n < 0) {
            throw new IllegalArgumentException("must be 0 or more");
        }
        return n;
    }

    /** A loopback host name or address, decided without a DNS lookup. */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
