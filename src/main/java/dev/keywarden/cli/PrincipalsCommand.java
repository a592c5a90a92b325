package dev.keywarden.cli;

import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

/**
 * {@code keywarden principals}: the users, teams and apps that virtual keys belong to, and their
 * rate-limit tiers. Works on the local store (the data directory); a suspension or tier change applies
 * to a running gateway's next request within a second.
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    static void print(CommandSpec spec, Principal p) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(p.id() + "  " + p.name() + "  " + p.kind().wireName() + "  tier=" + p.tier() + "  " + p.state().wireName()
                + (p.teamId() == null ? "" : "  team=" + p.teamId()));
        out.flush();
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a principal.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--name", required = true, description = "Unique name (a user, team or app).")
        String name;
        @Option(names = "--kind", defaultValue = "user", description = "user, team or app (default: user).")
        String kind;
        @Option(names = "--tier", defaultValue = "free", description = "free, pro, enterprise or a tier from the configuration (default: free).")
        String tier;
        @Option(names = "--team", description = "Id or name of the team (a principal of kind team) it belongs to.")
        String team;

        @Override
        public Integer call() {
            try (StoreOptions.Session session = store.open()) {
                print(spec, session.keys().principals().create(name, Principal.Kind.parse(kind), tier, team));
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List principals: id, name, kind, tier, state, team.")
    static final class ListPrincipals implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (StoreOptions.Session session = store.open()) {
                List<Principal> all = session.keys().principals().list();
                if (all.isEmpty()) {
                    spec.commandLine().getErr().println("no principals yet (keywarden principals create --name NAME)");
                }
                all.forEach(p -> print(spec, p));
                return 0;
            }
        }
    }

    @Command(name = "set-tier", mixinStandardHelpOptions = true, description = "Move a principal to another tier.")
    static final class SetTier implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "Id (pr_...) or name.")
        String principal;
        @Parameters(index = "1", paramLabel = "TIER", description = "free, pro, enterprise or a configured tier.")
        String tier;

        @Override
        public Integer call() {
            return change(spec, store, (s, p) -> s.setTier(p, tier), principal);
        }
    }

    @Command(name = "suspend", mixinStandardHelpOptions = true, description = "Refuse every key of a principal (403) until resumed.")
    static final class Suspend implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "Id (pr_...) or name.")
        String principal;

        @Override
        public Integer call() {
            return change(spec, store, PrincipalService::suspend, principal);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Lift a suspension.")
    static final class Resume implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "Id (pr_...) or name.")
        String principal;

        @Override
        public Integer call() {
            return change(spec, store, PrincipalService::resume, principal);
        }
    }

    private static int change(CommandSpec spec, StoreOptions store,
                              BiFunction<PrincipalService, String, Principal> op, String principal) {
        try (StoreOptions.Session session = store.open()) {
            print(spec, op.apply(session.keys().principals(), principal));
            return 0;
        }
    }
}
