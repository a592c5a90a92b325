package dev.keywarden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.admin.PrincipalAdmin;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

/**
 * {@code keywarden principals}: the users, teams and apps that virtual keys belong to, and their
 * rate-limit tiers. Works on the local store, or with {@code --admin-url} on a running gateway through its
 * admin API; a suspension or tier change applies to a running gateway's next request within a second.
 * Local and remote output are the same (the admin API's view of a principal).
 */
@Command(name = "principals", mixinStandardHelpOptions = true,
        description = {"Manage principals (users, teams, apps): each has a rate-limit tier and owns virtual keys.",
                "Suspending a principal refuses all its keys from the next request on (within a second on every instance)."},
        subcommands = {
                PrincipalsCommand.Create.class,
                PrincipalsCommand.ListPrincipals.class,
                PrincipalsCommand.SetTier.class,
                PrincipalsCommand.Suspend.class,
                PrincipalsCommand.Resume.class,
                BudgetCommands.ForPrincipal.class
        })
public final class PrincipalsCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    static void print(PrintWriter out, Map<String, Object> p) {
        Object team = p.get("team_id");
        out.println(p.get("id") + "  " + p.get("name") + "  " + p.get("kind") + "  tier=" + p.get("tier") + "  " + p.get("state")
                + (team == null ? "" : "  team=" + team));
        out.flush();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(JsonNode node) {
        return JSON.convertValue(node, Map.class);
    }

    static String path(String principal) {
        return "/admin/v1/principals/" + URLEncoder.encode(principal.strip(), StandardCharsets.UTF_8);
    }

    /** A change to one principal, locally through the service or remotely by POSTing {@code body} to its {@code action}. */
    abstract static class Change extends VaultSubcommand {
        @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "Id (pr_...) or name.")
        String principal;

        abstract BiFunction<PrincipalService, String, Principal> local();

        abstract String action();

        ObjectNode body() {
            return JSON.createObjectNode();
        }

        @Override
        int execute() {
            Map<String, Object> changed;
            if (target.remote()) {
                AdminApiClient client = target.client(err());
                JsonNode reply = postOrNotFound(client, path(principal) + "/" + action(), body(), "principal", principal.strip());
                if (reply == null) {
                    return 1;
                }
                changed = map(reply);
            } else {
                try (StoreOptions.Session session = store.open()) {
                    changed = PrincipalAdmin.view(local().apply(session.keys().principals(), principal));
                }
            }
            print(out(), changed);
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a principal.")
    static final class Create extends VaultSubcommand {
        @Option(names = "--name", required = true, description = "Unique name (a user, team or app).")
        String name;
        @Option(names = "--kind", defaultValue = "user", description = "user, team or app (default: user).")
        String kind;
        @Option(names = "--tier", defaultValue = "free", description = "free, pro, enterprise or a tier from the configuration (default: free).")
        String tier;
        @Option(names = "--team", description = "Id or name of the team (a principal of kind team) it belongs to.")
        String team;

        @Override
        int execute() {
            Principal.Kind parsedKind = Principal.Kind.parse(kind); // refused before anything is sent or opened
            Map<String, Object> created;
            if (target.remote()) {
                ObjectNode body = JSON.createObjectNode().put("name", name).put("kind", parsedKind.wireName()).put("tier", tier);
                if (team != null) {
                    body.put("team", team);
                }
                created = map(target.client(err()).post("/admin/v1/principals", body));
            } else {
                try (StoreOptions.Session session = store.open()) {
                    created = PrincipalAdmin.view(session.keys().principals().create(name, parsedKind, tier, team));
                }
            }
            print(out(), created);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List principals: id, name, kind, tier, state, team.")
    static final class ListPrincipals extends VaultSubcommand {
        @Option(names = "--json", description = "Print a JSON array instead of lines.")
        boolean json;

        @Override
        int execute() throws Exception {
            List<Map<String, Object>> all = new ArrayList<>();
            if (target.remote()) {
                target.client(err()).get("/admin/v1/principals").path("data").forEach(p -> all.add(map(p)));
            } else {
                try (StoreOptions.Session session = store.open()) {
                    session.keys().principals().list().forEach(p -> all.add(PrincipalAdmin.view(p)));
                }
            }
            if (json) {
                out().println(JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all));
                out().flush();
                return 0;
            }
            if (all.isEmpty()) {
                note("no principals yet (keywarden principals create --name NAME)");
            }
            all.forEach(p -> print(out(), p));
            return 0;
        }
    }

    @Command(name = "set-tier", mixinStandardHelpOptions = true, description = "Move a principal to another tier.")
    static final class SetTier extends Change {
        @Parameters(index = "1", paramLabel = "TIER", description = "free, pro, enterprise or a configured tier.")
        String tier;

        @Override
        BiFunction<PrincipalService, String, Principal> local() {
            return (s, p) -> s.setTier(p, tier);
        }

        @Override
        String action() {
            return "tier";
        }

        @Override
        ObjectNode body() {
            return JSON.createObjectNode().put("tier", tier);
        }
    }

    @Command(name = "suspend", mixinStandardHelpOptions = true, description = "Refuse every key of a principal (403) until resumed.")
    static final class Suspend extends Change {
        @Override
        BiFunction<PrincipalService, String, Principal> local() {
            return PrincipalService::suspend;
        }

        @Override
        String action() {
            return "suspend";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Lift a suspension.")
    static final class Resume extends Change {
        @Override
        BiFunction<PrincipalService, String, Principal> local() {
            return PrincipalService::resume;
        }

        @Override
        String action() {
            return "resume";
        }
    }
}
