package dev.keywarden.cli;

import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.auth.token.TokenInfo;
import dev.keywarden.auth.token.TokenService;
import dev.keywarden.config.TokensConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code keywarden tokens}: list and revoke the short-lived tokens ({@code kw_tmp_…}) clients mint with
 * their virtual keys. Works on the local store (the data directory); a revocation applies to a running
 * gateway's next request. Never prints a token, only its id.
 */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = {"List and revoke short-lived tokens (kw_tmp_...) minted with POST /v1/keywarden/tokens.",
                "A revocation applies to the token's next request on every instance."},
        subcommands = {TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
public final class TokensCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    static TokenService service(StoreOptions.Session session) {
        return new TokenService(session.database(), session.secret(), session.keys().principals(), TokensConfig.DEFAULTS,
                new LoggingSecurityEvents(), java.time.Clock.systemUTC());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List tokens, newest first: id, principal, expires, uses/max, state (never the token).")
    static final class ListTokens implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (StoreOptions.Session session = store.open()) {
                List<TokenInfo> all = service(session).list();
                PrintWriter out = spec.commandLine().getOut();
                if (all.isEmpty()) {
                    spec.commandLine().getErr().println("no tokens (clients mint them with POST /v1/keywarden/tokens)");
                }
                for (TokenInfo t : all) {
                    out.println(t.id() + "  principal=" + t.principalId() + "  expires=" + t.expiresAt()
                            + "  uses=" + t.uses() + "/" + t.maxUses() + "  " + t.state());
                }
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke one token by id (tok_...), or every token of a principal with --principal."})
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Token id (tok_...), see: keywarden tokens list.")
        String id;
        @Option(names = "--principal", paramLabel = "NAME", description = "Revoke every token of this principal (id pr_... or name).")
        String principal;

        @Override
        public Integer call() {
            if ((id == null) == (principal == null)) {
                spec.commandLine().getErr().println("give either a token id or --principal NAME");
                return 2;
            }
            try (StoreOptions.Session session = store.open()) {
                TokenService tokens = service(session);
                PrintWriter out = spec.commandLine().getOut();
                if (principal != null) {
                    int n = tokens.revokeByPrincipal(principal, "cli");
                    out.println("revoked " + n + (n == 1 ? " token" : " tokens") + " of principal " + principal.strip());
                } else if (tokens.revoke(id, "cli")) {
                    out.println("revoked " + id.strip());
                } else if (tokens.find(id.strip()).isPresent()) {
                    out.println(id.strip() + " was already revoked");
                } else {
                    spec.commandLine().getErr().println("no token has id " + id.strip() + " (see: keywarden tokens list)");
                    return 1;
                }
                out.flush();
                return 0;
            }
        }
    }
}
