package dev.keywarden.cli;

import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditVerifier;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code keywarden audit verify}: checks the audit trail's hash chains and signed checkpoints. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Inspect the tamper-evident audit trail.",
        subcommands = AuditCommand.Verify.class)
public final class AuditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check that every audit chain is intact; exit 0 when intact, 1 when tampered.",
                    "Each record must hold the hash of the one before it, with no gaps, and every HMAC checkpoint must be"
                            + " valid and match. Reports the first record that was altered, removed, inserted or reordered."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            KeywardenConfig cfg = store.loadConfig();
            ServerSecret secret = StoreOptions.serverSecret(cfg);
            try (Database db = Database.open(cfg)) {
                List<AuditVerifier.ChainReport> reports = new AuditVerifier(new AuditStore(db), secret).verifyAll();
                if (reports.isEmpty()) {
                    out.println("the audit trail is empty");
                    return 0;
                }
                boolean intact = true;
                for (AuditVerifier.ChainReport r : reports) {
                    if (r.intact()) {
                        out.printf("chain %s: intact: %d records, %d signed checkpoints%s%n", r.chainId(), r.records(),
                                r.checkpoints(), r.uncheckpointed() == 0 ? ""
                                        : " (" + r.uncheckpointed() + " newest records not yet under a checkpoint)");
                    } else {
                        intact = false;
                        out.printf("chain %s: TAMPERED at record %d: %s%n", r.chainId(), r.firstBadSeq(), r.problem());
                    }
                }
                return intact ? 0 : 1;
            }
        }
    }
}
