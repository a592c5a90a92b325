package dev.keywarden.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.state.RedisState;
import dev.keywarden.store.Database;
import dev.keywarden.users.Role;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;
import dev.keywarden.users.UsersModule;
import dev.keywarden.users.oidc.OidcProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code keywarden users}: local accounts people sign in with (web UI, {@code POST /api/session}). Works on the
 * configured store (and, with {@code state: redis}, the shared sessions in Redis), so a disable, password reset or
 * delete ends the user's sessions on every running gateway at once. A password is read from a no-echo prompt or the
 * first line of standard input, never from a flag.
 */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = {"Manage user accounts: each user is a principal (tier, limits, budgets, audit) and signs in with a"
                + " password or OpenID Connect.",
                "Passwords come from a no-echo prompt or the first line of standard input, never from a flag."},
        subcommands = {
                UsersCommand.Add.class,
                UsersCommand.ListUsers.class,
                UsersCommand.Disable.class,
                UsersCommand.Enable.class,
                UsersCommand.ResetPassword.class,
                UsersCommand.Delete.class
        })
public final class UsersCommand implements Callable<Integer> {

    private static final String BY = "cli";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** The configured store, shared state and user services for the length of one command. */
    record Opened(KeywardenConfig config, Database database, Optional<RedisState> redis, UsersModule module) implements AutoCloseable {
        static Opened open(StoreOptions store) {
            KeywardenConfig cfg = store.loadConfig();
            ServerSecret secret = StoreOptions.serverSecret(cfg);
            Database db = Database.open(cfg);
            Optional<RedisState> redis = Optional.empty();
            try {
                if (cfg.shared().redis()) {
                    redis = Optional.of(RedisState.connect(cfg.shared()));
                }
                PrincipalService principals = new PrincipalService(db, cfg.limits().defaultTier(), cfg.limits()::knows);
                return new Opened(cfg, db, redis, UsersModule.open(cfg, db, secret, redis, principals, new LoggingSecurityEvents(),
                        Clock.systemUTC()));
            } catch (RuntimeException e) {
                redis.ifPresent(RedisState::close);
                db.close();
                throw e;
            }
        }

        UserService users() {
            return module.users();
        }

        @Override
        public void close() {
            try {
                redis.ifPresent(RedisState::close);
            } finally {
                database.close();
            }
        }
    }

    static void print(PrintWriter out, User u, String tier) {
        out.println(u.id() + "  " + u.username() + "  " + u.role().wireName() + "  tier=" + tier + "  "
                + (u.disabled() ? "disabled" : "active") + (u.hasPassword() ? "" : "  (OIDC only)")
                + (u.displayName() == null ? "" : "  \"" + u.displayName() + "\""));
        out.flush();
    }

    private static String tierOf(Opened o, User u) {
        return o.users().principals().find(u.principalId()).map(Principal::tier).orElse("-");
    }

    /** A password from the no-echo prompt (asked twice) or the first line of standard input. */
    static char[] readPassword(StoreOptions store, String prompt) {
        CliContext context = store.context();
        if (context.interactive()) {
            char[] first = System.console().readPassword("%s", prompt);
            char[] second = System.console().readPassword("%s", "Repeat it: ");
            try {
                if (first == null || second == null || !Arrays.equals(first, second)) {
                    if (first != null) {
                        Arrays.fill(first, '\0');
                    }
                    throw new IllegalStateException("the two passwords differ; nothing was changed");
                }
                return first;
            } finally {
                if (second != null) {
                    Arrays.fill(second, '\0');
                }
            }
        }
        char[] password = PassphraseInput.firstLine(context.stdin(), "the password");
        if (password == null || password.length == 0) {
            throw new IllegalStateException("no password given: type it at the prompt or pipe it as the first line of standard input");
        }
        return password;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a user.",
                    "The password is asked for (no echo) or read from the first line of standard input; with --oidc-subject"
                            + " --no-password the user signs in only through OpenID Connect."})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", paramLabel = "USERNAME", description = "1 to 64 characters: a-z 0-9 . _ @ + - (lower-cased).")
        String username;
        @Option(names = "--display-name", paramLabel = "NAME", description = "Name shown in the UI.")
        String displayName;
        @Option(names = "--role", defaultValue = "user", description = "user or admin (default: user).")
        String role;
        @Option(names = "--tier", paramLabel = "TIER", description = "Rate-limit tier (default: limits.default_tier).")
        String tier;
        @Option(names = "--oidc-subject", paramLabel = "SUB",
                description = "Link the user to this subject (sub) at the configured identity provider (oidc.issuer).")
        String oidcSubject;
        @Option(names = "--no-password", description = "With --oidc-subject: no password (sign-in only through OIDC).")
        boolean noPassword;

        @Override
        public Integer call() {
            try (Opened o = Opened.open(store)) {
                String issuer = null;
                if (oidcSubject != null) {
                    issuer = o.module().oidc().map(OidcProvider::issuer).orElseThrow(() -> new IllegalStateException(
                            "--oidc-subject needs OpenID Connect configured (oidc.issuer, KEYWARDEN_OIDC_ISSUER)"));
                } else if (noPassword) {
                    throw new IllegalStateException("--no-password needs --oidc-subject: a user must be able to sign in somehow");
                }
                char[] password = noPassword ? null : readPassword(store, "Password for " + username.strip() + ": ");
                try {
                    User u = o.users().add(new UserService.NewUser(username, displayName, Role.parse(role), tier, issuer, oidcSubject),
                            password, BY);
                    spec.commandLine().getErr().println("Added user " + u.username() + " (" + u.id() + ", principal " + u.principalId() + ").");
                    print(spec.commandLine().getOut(), u, tierOf(o, u));
                    return 0;
                } finally {
                    if (password != null) {
                        Arrays.fill(password, '\0');
                    }
                }
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users: id, username, role, tier, state.")
    static final class ListUsers implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--json", description = "Print a JSON array instead of lines.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (Opened o = Opened.open(store)) {
                List<User> all = o.users().list();
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    ObjectMapper mapper = new ObjectMapper();
                    ArrayNode array = mapper.createArrayNode();
                    for (User u : all) {
                        ObjectNode n = array.addObject();
                        n.put("id", u.id());
                        n.put("username", u.username());
                        n.put("display_name", u.displayName());
                        n.put("role", u.role().wireName());
                        n.put("tier", tierOf(o, u));
                        n.put("principal_id", u.principalId());
                        n.put("state", u.disabled() ? "disabled" : "active");
                        n.put("password", u.hasPassword());
                        n.put("created_at", u.createdAt().toString());
                        n.put("last_login_at", u.lastLoginAt() == null ? null : u.lastLoginAt().toString());
                    }
                    out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(array));
                    out.flush();
                    return 0;
                }
                if (all.isEmpty()) {
                    spec.commandLine().getErr().println("no users yet (keywarden users add USERNAME)");
                }
                all.forEach(u -> print(out, u, tierOf(o, u)));
                return 0;
            }
        }
    }

    /** A subcommand acting on one user named by id or username. */
    abstract static class OneUser implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", paramLabel = "USER", description = "Id (usr_...) or username.")
        String user;

        abstract User apply(UserService users, String user);

        @Override
        public Integer call() {
            try (Opened o = Opened.open(store)) {
                User u = apply(o.users(), user);
                print(spec.commandLine().getOut(), u, tierOf(o, u));
                return 0;
            }
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Stop a user from signing in; every session of it ends at once.")
    static final class Disable extends OneUser {
        @Override
        User apply(UserService users, String user) {
            return users.disable(user, BY);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Let a disabled user sign in again.")
    static final class Enable extends OneUser {
        @Override
        User apply(UserService users, String user) {
            return users.enable(user, BY);
        }
    }

    @Command(name = "reset-password", mixinStandardHelpOptions = true,
            description = {"Set a new password (prompt or first line of standard input); every session of the user ends at once."})
    static final class ResetPassword extends OneUser {
        @Override
        User apply(UserService users, String user) {
            char[] password = readPassword(store, "New password for " + user.strip() + ": ");
            try {
                return users.resetPassword(user, password, BY);
            } finally {
                Arrays.fill(password, '\0');
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a user: its sessions end, its OIDC links go, and its principal is suspended (kept for the audit trail)."})
    static final class Delete extends OneUser {
        @Override
        User apply(UserService users, String user) {
            User u = users.delete(user, BY);
            spec.commandLine().getErr().println("deleted " + u.id() + " (principal " + u.principalId() + " suspended)");
            return u;
        }
    }
}
