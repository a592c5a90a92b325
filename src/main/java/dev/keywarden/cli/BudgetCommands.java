package dev.keywarden.cli;

import dev.keywarden.auth.Principal;
import dev.keywarden.auth.VirtualKeyInfo;
import dev.keywarden.limits.budget.Allowance;
import dev.keywarden.limits.budget.BudgetStore;
import dev.keywarden.limits.budget.Usd;
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
 * {@code keywarden principals set-budget} and {@code keywarden keys set-budget}: explicit spend budgets
 * (USD per UTC day and month) for one principal (a team's budget is its team principal's) or one virtual
 * key, in the local store. Running gateways apply a change within about a second.
 */
final class BudgetCommands {

    private BudgetCommands() {
    }

    /** The options both commands share. */
    static final class Amounts {
        @Option(names = "--daily", paramLabel = "USD", description = "Budget per UTC day in USD (0: no limit; omitted: the tier's default).")
        String daily;
        @Option(names = "--monthly", paramLabel = "USD", description = "Budget per UTC month in USD (0: no limit; omitted: the tier's default).")
        String monthly;
        @Option(names = "--clear", description = "Remove the explicit budget: the tier's defaults apply again.")
        boolean clear;

        Allowance allowance(CommandSpec spec) {
            if (!clear && daily == null && monthly == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give --daily USD, --monthly USD or --clear");
            }
            return new Allowance(parse(spec, "--daily", daily), parse(spec, "--monthly", monthly));
        }

        private static Long parse(CommandSpec spec, String option, String raw) {
            if (raw == null) {
                return null;
            }
            try {
                return Usd.parse(raw);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + ": '" + raw + "' " + e.getMessage());
            }
        }
    }

    static int apply(CommandSpec spec, StoreOptions.Session session, BudgetStore.Owner owner, String id, String shown, Amounts amounts) {
        Allowance a = amounts.allowance(spec);
        BudgetStore budgets = new BudgetStore(session.database());
        PrintWriter out = spec.commandLine().getOut();
        if (amounts.clear) {
            budgets.clear(owner, id);
            out.println("budget of " + shown + ": tier defaults");
        } else {
            budgets.set(owner, id, a, System.currentTimeMillis());
            out.println("budget of " + shown + ": daily " + describe(a.dailyNanos()) + ", monthly " + describe(a.monthlyNanos()));
        }
        out.flush();
        return 0;
    }

    private static String describe(Long nanos) {
        return nanos == null ? "tier default" : nanos == 0 ? "no limit" : Usd.format(nanos);
    }

    @Command(name = "set-budget", mixinStandardHelpOptions = true,
            description = {"Set a principal's spend budget in USD per UTC day and month (for a team: the team's total).",
                    "Calls are refused with 402 billing_error once a budget is spent, until it resets."})
    static final class ForPrincipal implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Mixin
        Amounts amounts;
        @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "Id (pr_...) or name.")
        String principal;

        @Override
        public Integer call() {
            try (StoreOptions.Session session = store.open()) {
                Principal p = session.keys().principals().find(principal).orElse(null);
                if (p == null) {
                    spec.commandLine().getErr().println("no principal has id or name '" + principal.strip()
                            + "' (see: keywarden principals list)");
                    return 1;
                }
                return apply(spec, session, BudgetStore.Owner.PRINCIPAL, p.id(), p.kind().wireName() + " " + p.name(), amounts);
            }
        }
    }

    @Command(name = "set-budget", mixinStandardHelpOptions = true,
            description = {"Set a virtual key's spend budget in USD per UTC day and month (keys have none by default).",
                    "Calls with the key are refused with 402 billing_error once a budget is spent, until it resets."})
    static final class ForKey implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Mixin
        Amounts amounts;
        @Parameters(index = "0", paramLabel = "ID|PREFIX", description = "The virtual key's id (vk_...) or prefix (kw_ + 8 characters).")
        String key;

        @Override
        public Integer call() {
            String ref = key.strip();
            if (ref.startsWith("kw_") && ref.length() > 11) {
                spec.commandLine().getErr().println("give the key's id or prefix, not the key itself (see: keywarden keys list)");
                return 2;
            }
            try (StoreOptions.Session session = store.open()) {
                List<VirtualKeyInfo> matches = session.keys().list().stream()
                        .filter(k -> k.id().equals(ref) || k.prefix().equals(ref)).toList();
                if (matches.size() != 1) {
                    spec.commandLine().getErr().println(matches.isEmpty() ? "no virtual key has id or prefix " + ref
                            + " (see: keywarden keys list)" : "prefix " + ref + " matches several keys; give the id");
                    return 1;
                }
                VirtualKeyInfo k = matches.get(0);
                return apply(spec, session, BudgetStore.Owner.KEY, k.id(), "key " + k.prefix() + " (" + k.name() + ")", amounts);
            }
        }
    }
}
