package dev.keywarden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.keywarden.admin.TokenAdmin;
import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.auth.token.TokenService;
import dev.keywarden.config.TokensConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code keywarden tokens}: list and revoke the short-lived tokens ({@code kw_tmp_…}) clients mint with
 * their virtual keys, on the local store or, with {@code --admin-url}, on a running gateway through its
 * admin API. A revocation applies to a running gateway's next request. Never prints a token, only its id.
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
    static final class ListTokens extends VaultSubcommand {
        @Option(names = "--json", description = "Print a JSON array instead of lines.")
        boolean json;

        @Override
        int execute() throws Exception {
            List<Map<String, Object>> all = new ArrayList<>();
            ObjectMapper mapper = new ObjectMapper();
            if (target.remote()) {
                AdminApiClient client = target.client(err());
                for (JsonNode t : client.get("/admin/v1/tokens").path("data")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = mapper.convertValue(t, Map.class);
                    all.add(m);
                }
            } else {
                try (StoreOptions.Session session = store.open()) {
                    service(session).list().forEach(t -> all.add(TokenAdmin.view(t)));
                }
            }
            PrintWriter out = out();
            if (json) {
                out.println(mapper.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all));
            } else {
                if (all.isEmpty()) {
                    note("no tokens (clients mint them with POST /v1/keywarden/tokens)");
                }
                for (Map<String, Object> t : all) {
                    out.println(t.get("id") + "  principal=" + t.get("principal_id") + "  expires=" + t.get("expires_at")
                            + "  uses=" + t.get("uses") + "/" + t.get("max_uses") + "  " + t.get("state"));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke one token by id (tok_...), or every token of a principal with --principal."})
    static final class Revoke extends VaultSubcommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Token id (tok_...), see: keywarden tokens list.")
        String id;
        @Option(names = "--principal", paramLabel = "NAME", description = "Revoke every token of this principal (id pr_... or name).")
        String principal;

        @Override
        int execute() {
            if ((id == null) == (principal == null)) {
                err().println("give either a token id or --principal NAME");
                return 2;
            }
            PrintWriter out = out();
            if (target.remote()) {
                AdminApiClient client = target.client(err());
                if (principal != null) {
                    JsonNode reply = client.post("/admin/v1/tokens/revoke",
                            new ObjectMapper().createObjectNode().put("principal", principal.strip()));
                    int n = reply.path("revoked").asInt();
                    out.println("revoked " + n + (n == 1 ? " token" : " tokens") + " of principal " + principal.strip());
                } else {
                    try {
                        client.delete("/admin/v1/tokens/" + java.net.URLEncoder.encode(id.strip(), java.nio.charset.StandardCharsets.UTF_8));
                    } catch (AdminApiException e) {
                        if (e.status() == 404) {
                            err().println("no token has id " + id.strip() + " on the gateway at " + client.baseUri());
                            return 1;
                        }
                        throw e;
                    }
                    out.println("revoked " + id.strip());
                }
                out.flush();
                return 0;
            }
            try (StoreOptions.Session session = store.open()) {
                TokenService tokens = service(session);
                if (principal != null) {
                    int n = tokens.revokeByPrincipal(principal, "cli");
                    out.println("revoked " + n + (n == 1 ? " token" : " tokens") + " of principal " + principal.strip());
                } else if (tokens.revoke(id, "cli")) {
                    out.println("revoked " + id.strip());
                } else if (tokens.find(id.strip()).isPresent()) {
                    out.println(id.strip() + " was already revoked");
                } else {
                    err().println("no token has id " + id.strip() + " (see: keywarden tokens list)");
                    return 1;
                }
                out.flush();
                return 0;
            }
        }
    }
}
