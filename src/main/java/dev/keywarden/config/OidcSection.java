package dev.keywarden.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@code oidc.*}: sign-in through an OpenID Connect identity provider and its access tokens as bearer
 * credentials. Guarantee: OIDC is on only with {@code oidc.issuer}, and then the client id and redirect URI
 * are present, the URLs are https (plain http only for a loopback host), the group mappings name known roles
 * and tiers; the client secret is never quoted in a message or notice.
 */
final class OidcSection {

    static final Setting ISSUER = Setting.of("oidc.issuer", "KEYWARDEN_OIDC_ISSUER", null,
            "issuer URL of the identity provider (https; plain http only for a loopback host); OpenID Connect is off without it")
            .shown("none: OIDC off");
    static final Setting CLIENT_ID = Setting.of("oidc.client_id", "KEYWARDEN_OIDC_CLIENT_ID", null,
            "this gateway's client id at the identity provider; required with oidc.issuer");
    static final Setting CLIENT_SECRET = Setting.of("oidc.client_secret", "KEYWARDEN_OIDC_CLIENT_SECRET", null,
            "client secret of a confidential client (sent with HTTP Basic); without one the gateway is a public client"
                    + " using PKCE only").asSecret();
    static final Setting CLIENT_SECRET_FILE = Setting.of("oidc.client_secret_file", "KEYWARDEN_OIDC_CLIENT_SECRET_FILE", null,
            "a file holding the client secret instead (not together with oidc.client_secret)");
    static final Setting REDIRECT_URI = Setting.of("oidc.redirect_uri", "KEYWARDEN_OIDC_REDIRECT_URI", null,
            "where the identity provider sends the browser back: this gateway's /api/oidc/callback; required with oidc.issuer");
    static final Setting SCOPES = Setting.of("oidc.scopes", "KEYWARDEN_OIDC_SCOPES", "openid,profile,email",
            "scopes requested at sign-in (a YAML list, or separated by commas or spaces); openid is always added").asList();
    static final Setting AUDIENCE = Setting.of("oidc.audience", "KEYWARDEN_OIDC_AUDIENCE", null,
            "the aud an access token of the identity provider must carry to be accepted as a bearer credential")
            .shown("the client id");
    static final Setting GROUPS_CLAIM = Setting.of("oidc.groups_claim", "KEYWARDEN_OIDC_GROUPS_CLAIM", null,
            "the claim holding the user's groups (e.g. groups); required with oidc.group_roles or oidc.group_tiers");
    static final Setting GROUP_ROLES = Setting.of("oidc.group_roles", "KEYWARDEN_OIDC_GROUP_ROLES", null,
            "GROUP=ROLE pairs (a YAML list or comma-separated), ROLE user or admin; the highest role of the user's groups wins")
            .asList();
    static final Setting GROUP_TIERS = Setting.of("oidc.group_tiers", "KEYWARDEN_OIDC_GROUP_TIERS", null,
            "GROUP=TIER pairs (a YAML list or comma-separated) naming configured tiers; the first group the user is in decides")
            .asList();
    static final Setting JIT = Setting.of("oidc.jit", "KEYWARDEN_OIDC_JIT", "off",
            "on: an unknown user of the identity provider is created at first sign-in; off: only users added with"
                    + " keywarden users add --oidc-subject may sign in");
    static final List<Setting> SETTINGS = List.of(ISSUER, CLIENT_ID, CLIENT_SECRET, CLIENT_SECRET_FILE, REDIRECT_URI, SCOPES,
            AUDIENCE, GROUPS_CLAIM, GROUP_ROLES, GROUP_TIERS, JIT);

    private OidcSection() {
    }

    /**
     * The OIDC settings, or empty when {@code oidc.issuer} is not set (then no other {@code oidc.*} setting may be).
     *
     * @param knownTier which tier names exist (for {@code oidc.group_tiers})
     */
    static Optional<OidcConfig> parse(Values values, Predicate<String> knownTier, Path workingDir, List<String> notices) {
        if (!values.isGiven(ISSUER)) {
            for (Setting s : SETTINGS) {
                if (values.isGiven(s)) {
                    throw Values.error(s, "is set but " + ISSUER.label() + " is not; set the issuer URL of your identity"
                            + " provider, or remove the oidc settings");
                }
            }
            return Optional.empty();
        }
        URI issuer = url(values, ISSUER);
        String clientId = required(values, CLIENT_ID, "the client id registered for this gateway at the identity provider");
        required(values, REDIRECT_URI, "this gateway's callback URL, e.g. https://gateway.example.com/api/oidc/callback");
        URI redirect = url(values, REDIRECT_URI);
        if (!redirect.getPath().endsWith("/api/oidc/callback")) {
            notices.add("WARN " + REDIRECT_URI.label() + " does not end in /api/oidc/callback, where the gateway receives"
                    + " the identity provider's answer; a proxy in front must map it there");
        }
        Optional<Secret> secret = clientSecret(values, workingDir);
        if (values.origin(CLIENT_SECRET) == Values.Origin.FILE) {
            notices.add("WARN the OIDC client secret is stored in the config file (oidc.client_secret); prefer "
                    + CLIENT_SECRET.env() + " or oidc.client_secret_file");
        }
        List<String> scopes = new ArrayList<>();
        for (String s : values.get(SCOPES).split("[,\\s]+")) {
            if (!s.isBlank() && !scopes.contains(s.strip())) {
                scopes.add(s.strip());
            }
        }
        if (!scopes.contains("openid")) {
            scopes.add(0, "openid");
        }
        String audience = values.text(AUDIENCE).orElse(clientId);
        Optional<String> groupsClaim = values.text(GROUPS_CLAIM);
        Map<String, String> roles = mapping(values, GROUP_ROLES, role -> {
            if (!role.equals("user") && !role.equals("admin")) {
                throw new IllegalArgumentException("maps a group to '" + role + "'; a role is user or admin");
            }
        });
        Map<String, String> tiers = mapping(values, GROUP_TIERS, tier -> {
            if (!knownTier.test(tier)) {
                throw new IllegalArgumentException("maps a group to tier '" + tier + "', which is not configured (tiers.<name>)");
            }
        });
        if ((!roles.isEmpty() || !tiers.isEmpty()) && groupsClaim.isEmpty()) {
            throw Values.error(GROUPS_CLAIM, "required with oidc.group_roles or oidc.group_tiers; set the claim that holds the"
                    + " user's groups, e.g. groups");
        }
        boolean jit = values.read(JIT, raw -> {
            try {
                return Values.onOff(raw);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("must be on (create unknown users at first sign-in) or off");
            }
        });
        notices.add("INFO OpenID Connect sign-in via " + issuer + " (client " + clientId + ", "
                + (secret.isPresent() ? "confidential" : "public client with PKCE only") + "; new users "
                + (jit ? "created at first sign-in" : "must be added first: keywarden users add --oidc-subject") + ")");
        return Optional.of(new OidcConfig(issuer, clientId, secret, redirect, List.copyOf(scopes), audience, groupsClaim,
                roles, tiers, jit));
    }

    private static Optional<Secret> clientSecret(Values values, Path workingDir) {
        if (values.isGiven(CLIENT_SECRET) && values.isGiven(CLIENT_SECRET_FILE)) {
            throw new ConfigException(CLIENT_SECRET.label() + " and " + CLIENT_SECRET_FILE.label() + " are both set; keep one");
        }
        Optional<String> file = values.text(CLIENT_SECRET_FILE);
        if (file.isPresent()) {
            Path path = workingDir.resolve(file.get());
            try {
                String text = Files.readString(path, StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    throw Values.error(CLIENT_SECRET_FILE, path + " is empty; put the client secret in it");
                }
                return Optional.of(Secret.of(text));
            } catch (IOException e) {
                throw Values.error(CLIENT_SECRET_FILE, "cannot read " + path + " (" + e.getClass().getSimpleName()
                        + "); make it readable by the gateway");
            }
        }
        return values.secret(CLIENT_SECRET).map(s -> Secret.of(s.reveal().strip()));
    }

    private static String required(Values values, Setting s, String what) {
        return values.text(s).orElseThrow(() -> Values.error(s, "required with oidc.issuer; set it to " + what));
    }

    /** {@code group=value,group2=value2}, in order; {@code check} refuses a value with an {@link IllegalArgumentException}. */
    private static Map<String, String> mapping(Values values, Setting s, Consumer<String> check) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : values.text(s).orElse("").split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.lastIndexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw Values.error(s, "'" + pair.strip() + "' must be GROUP=VALUE, e.g. admins=admin");
            }
            String value = pair.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
            try {
                check.accept(value);
            } catch (IllegalArgumentException e) {
                throw Values.error(s, e.getMessage());
            }
            out.put(pair.substring(0, eq).strip(), value);
        }
        return Collections.unmodifiableMap(out);
    }

    /** The setting's URL; the value is not quoted in the error, as it may hold credentials. */
    private static URI url(Values values, Setting s) {
        try {
            return url(values.get(s));
        } catch (IllegalArgumentException e) {
            throw Values.error(s, e.getMessage());
        }
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
        if (u.getScheme().equals("http") && !UsersSection.isLoopback(u.getHost())) {
            throw new IllegalArgumentException("must use https (plain http only for a loopback host in development)");
        }
        return u;
    }
}
