package dev.keywarden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.keywarden.admin.AdminTokens;
import dev.keywarden.format.AdminTokenFormat;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.log.Redactor;
import dev.keywarden.metrics.SinceDuration;
import dev.keywarden.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code keywarden admin}: manage access to the admin API: create, list and revoke admin tokens.
 *
 * <p>Guarantees: a new token is printed once, alone on the last line of stdout; listings show id,
 * name, display prefix, role and times, never a token.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Manage admin API access: create, list and revoke admin tokens (roles read or admin).",
        subcommands = {AdminCommand.CreateToken.class, AdminCommand.ListTokens.class, AdminCommand.RevokeToken.class})
public final class AdminCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code keywarden admin create-token --name NAME}: prints a new admin token once, alone on the last line. */
    @Command(name = "create-token", mixinStandardHelpOptions = true,
            description = {"Create an admin API token and print it once (only a keyed hash of it is stored).",
                    "A read token may call GET endpoints and /metrics only (e.g. for Prometheus); an admin token may call every endpoint."})
    static final class CreateToken implements Callable<Integer> {

        @Option(names = "--name", required = true, description = "Who or what the token is for.")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", defaultValue = "admin",
                description = "read (GET endpoints and /metrics) or admin (everything); default: ${DEFAULT-VALUE}.")
        String role;

        @Option(names = "--expires-in", paramLabel = "SPAN",
                description = "Refuse the token after this long, e.g. 12h, 30d or 4w (default: never expires).")
        String expiresIn;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            AdminTokens.Role parsedRole;
            Duration lifetime;
            try {
                parsedRole = AdminTokens.Role.parse(role);
                lifetime = expiresIn == null ? null : SinceDuration.parse(expiresIn, "--expires-in");
            } catch (IllegalArgumentException e) {
                System.err.println("keywarden admin create-token: " + e.getMessage());
                return 2;
            }
            KeywardenConfig cfg = store.loadConfig();
            ServerSecret secret = StoreOptions.serverSecret(cfg);
            try (Database db = Database.open(cfg)) {
                AdminTokens.Created created;
                try {
                    created = new AdminTokens(db, secret).create(name, parsedRole, lifetime, "cli");
                } catch (IllegalArgumentException e) {
                    System.err.println("keywarden admin create-token: " + e.getMessage());
                    return 1;
                }
                System.err.println("admin token " + created.id() + " (" + created.prefix() + ", role " + parsedRole.wireName()
                        + (created.expiresAt() == null ? "" : ", expires " + created.expiresAt().truncatedTo(ChronoUnit.SECONDS))
                        + ") for '" + name.strip() + "' (shown once; send it in the Authorization header as a Bearer token):");
                System.out.println(created.token());
                System.out.flush();
            }
            return 0;
        }
    }

    /** {@code keywarden admin list-tokens}: every admin token, never the token itself. */
    @Command(name = "list-tokens", mixinStandardHelpOptions = true,
            description = {"List admin tokens: name, id, prefix, role, created, expires, last used and state.",
                    "Never prints a token. Tokens made before prefixes were recorded show '-' as prefix."})
    static final class ListTokens extends VaultSubcommand {
        @Option(names = "--json", description = "Print a JSON array instead of a table.")
        boolean json;

        @Override
        int execute() throws Exception {
            List<Map<String, Object>> tokens = new ArrayList<>();
            String where;
            Instant now = Instant.now();
            if (target.remote()) {
                AdminApiClient client = target.client(err());
                where = "the gateway at " + client.baseUri();
                ObjectMapper mapper = new ObjectMapper();
                for (JsonNode t : client.get("/admin/v1/admin-tokens").path("data")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = mapper.convertValue(t, Map.class);
                    tokens.add(m);
                }
            } else {
                try (StoreOptions.Session session = store.open()) {
                    where = session.location();
                    for (AdminTokens.Info t : new AdminTokens(session.database(), session.secret()).list()) {
                        tokens.add(t.toMap(now));
                    }
                }
            }
            PrintWriter out = out();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(tokens));
            } else if (tokens.isEmpty()) {
                out.println("No admin tokens in " + where + "; create one with: keywarden admin create-token --name NAME");
            } else {
                String[] header = {"NAME", "ID", "PREFIX", "ROLE", "CREATED", "EXPIRES", "LAST USED", "STATE"};
                List<String[]> rows = tokens.stream().map(t -> new String[] {
                        text(t.get("name"), ""), text(t.get("id"), ""), text(t.get("prefix"), "-"), text(t.get("role"), ""),
                        time(t.get("created_at"), "-"), time(t.get("expires_at"), "never"), time(t.get("last_used_at"), "never"),
                        state(t)}).toList();
                ProviderKeyOutput.Table.print(out, header, rows);
            }
            out.flush();
            return 0;
        }

        private static String state(Map<String, Object> t) {
            String state = text(t.get("state"), "");
            return state.equals("revoked") ? "revoked " + time(t.get("revoked_at"), "") : state;
        }

        private static String text(Object value, String whenAbsent) {
            return value == null ? whenAbsent : value.toString();
        }

        private static String time(Object iso, String whenAbsent) {
            return iso == null ? whenAbsent : Instant.parse(iso.toString()).truncatedTo(ChronoUnit.SECONDS).toString();
        }
    }

    /** {@code keywarden admin revoke-token ID}: the token is refused at once by every gateway sharing the store. */
    @Command(name = "revoke-token", mixinStandardHelpOptions = true,
            description = {"Revoke an admin token by id (adm_...) or prefix (kwadm_ + 8 characters); it is refused at once.",
                    "Every gateway sharing the store refuses it on its next request."})
    static final class RevokeToken extends VaultSubcommand {
        @Parameters(paramLabel = "ID|PREFIX", description = "The token's id or prefix, as shown by: keywarden admin list-tokens")
        String idOrPrefix;

        @Override
        int execute() {
            String argument = idOrPrefix.strip();
            String shown = describe(argument);
            if (target.remote()) {
                String ref = AdminTokenFormat.isWellFormed(argument) ? AdminTokenFormat.displayPrefix(argument) : argument;
                AdminApiClient client = target.client(err());
                if (postOrNotFound(client, "/admin/v1/admin-tokens/" + URLEncoder.encode(ref, StandardCharsets.UTF_8) + "/revoke",
                        null, "admin token", shown) == null) {
                    return 1;
                }
            } else {
                try (StoreOptions.Session session = store.open()) {
                    if (!new AdminTokens(session.database(), session.secret()).revoke(argument, "cli")) {
                        err().println(spec.qualifiedName() + ": no admin token has id or prefix " + shown + " in " + session.location());
                        return 1;
                    }
                }
            }
            out().println("Revoked admin token " + shown + ".");
            out().flush();
            return 0;
        }

        /** The argument as it may be echoed: anything longer than an id or prefix is cut to its first 14 characters. */
        static String describe(String argument) {
            boolean tokenLike = argument.startsWith(AdminTokenFormat.PREFIX) && argument.length() > AdminTokenFormat.DISPLAY_PREFIX_LENGTH;
            if (!tokenLike && argument.length() <= 24 && argument.chars().noneMatch(Character::isISOControl)) {
                return argument;
            }
            return Redactor.forLog(argument.substring(0, Math.min(argument.length(), AdminTokenFormat.DISPLAY_PREFIX_LENGTH))) + "...";
        }
    }
}
