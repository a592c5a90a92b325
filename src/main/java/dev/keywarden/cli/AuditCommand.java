package dev.keywarden.cli;

import dev.keywarden.audit.AuditAnchor;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditTrail;
import dev.keywarden.audit.AuditVerifier;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code keywarden audit verify|anchor}: checks the audit trail's hash chains, signed checkpoints and anchors. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Inspect the tamper-evident audit trail.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Anchor.class})
public final class AuditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check every audit chain and its anchor; exit 0 when intact, 1 when tampered.",
                    "Each record must hold the hash of the one before it, with no gaps, every HMAC checkpoint must be valid"
                            + " and match, and the chain must still hold its anchor (the newest checkpoint, kept in the data"
                            + " directory and in the audit.mirror file). Reports the first record that was altered, removed,"
                            + " inserted or reordered, and a lost anchor."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions store;

        @Option(names = "--mirror", paramLabel = "FILE",
                description = "JSON-lines audit mirror whose checkpoint lines to check against (default: audit.mirror when it"
                        + " is a file).")
        Path mirror;

        @Option(names = "--json", description = "Print {\"intact\":…,\"chains\":[…]} instead of lines.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            KeywardenConfig cfg = store.loadConfig();
            StoreOptions.requireExistingStore(cfg); // read-only: never creates a data directory, database or secret
            ServerSecret secret = StoreOptions.existingServerSecret(cfg);
            Path mirrorFile = mirror != null ? mirror : cfg.audit().mirror().filter(m -> !m.equals("stdout")).map(Path::of)
                    .filter(Files::isRegularFile).orElse(null);
            try (Database db = Database.open(cfg)) {
                AuditVerifier verifier = new AuditVerifier(new AuditStore(db), secret).withAnchors(cfg.dataDir());
                if (mirrorFile != null) {
                    verifier = verifier.withMirror(mirrorFile);
                }
                List<AuditVerifier.ChainReport> reports = verifier.verifyAll();
                if (json) {
                    return printJson(out, reports);
                }
                if (reports.isEmpty()) {
                    out.println("the audit trail is empty");
                    return 0;
                }
                boolean intact = true;
                for (AuditVerifier.ChainReport r : reports) {
                    if (r.intact()) {
                        out.printf("chain %s: intact: %d records, %d signed checkpoints%s%s%n", r.chainId(), r.records(),
                                r.checkpoints(), r.uncheckpointed() == 0 ? ""
                                        : " (" + r.uncheckpointed() + " newest records not yet under a checkpoint)",
                                r.anchor() == null || r.anchor().isEmpty() ? "" : "; " + r.anchor());
                    } else {
                        intact = false;
                        out.printf("chain %s: TAMPERED%s: %s%n", r.chainId(),
                                r.firstBadSeq() == null ? "" : " at record " + r.firstBadSeq(), r.problem());
                    }
                }
                return intact ? 0 : 1;
            }
        }
    }

    static int printJson(PrintWriter out, List<AuditVerifier.ChainReport> reports) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = mapper.createObjectNode();
        boolean intact = reports.stream().allMatch(AuditVerifier.ChainReport::intact);
        root.put("intact", intact);
        com.fasterxml.jackson.databind.node.ArrayNode chains = root.putArray("chains");
        for (AuditVerifier.ChainReport r : reports) {
            com.fasterxml.jackson.databind.node.ObjectNode c = chains.addObject();
            c.put("chain", r.chainId());
            c.put("intact", r.intact());
            c.put("records", r.records());
            c.put("checkpoints", r.checkpoints());
            c.put("uncheckpointed", r.uncheckpointed());
            if (r.firstBadSeq() != null) {
                c.put("first_bad_seq", r.firstBadSeq());
            }
            c.put("problem", r.problem());
            c.put("anchor", r.anchor());
        }
        out.println(mapper.enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
        out.flush();
        return intact ? 0 : 1;
    }

    @Command(name = "anchor", mixinStandardHelpOptions = true,
            description = {"Show each chain's anchor file; with --reset, sign a chain's current head as its new anchor.",
                    "Use --reset only after audit verify reported a lost or contradicted anchor and you have decided the",
                    "records as they are now are the ones to keep: the reset is recorded at the end of the chain as an",
                    "alert event (audit.anchor_reset) naming what the old anchor said, and sent, signed, to the alert webhook",
                    "(alerts.webhook_url) when one is set. Run it while the gateway is stopped."})
    static final class Anchor implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions store;

        @Option(names = "--reset", description = "Replace the anchor of the chain with its current head.")
        boolean reset;

        @Option(names = "--chain", paramLabel = "ID", description = "The chain to reset (default: main).")
        String chain = "main";

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            KeywardenConfig cfg = store.loadConfig();
            StoreOptions.requireExistingStore(cfg); // read-only: never creates a data directory, database or secret
            ServerSecret secret = StoreOptions.existingServerSecret(cfg);
            try (Database db = Database.open(cfg)) {
                AuditStore audit = new AuditStore(db);
                if (reset) {
                    if (audit.last(chain).isEmpty()) {
                        spec.commandLine().getErr().println("keywarden: audit chain " + chain + " has no records; nothing to anchor"
                                + " (chains: " + String.join(", ", audit.chains()) + ")");
                        return 1;
                    }
                    // an alert-class event: to the configured webhook too, signed, as a running gateway would send it
                    java.util.Optional<dev.keywarden.audit.AlertChannel> webhook = cfg.anomaly().webhook()
                            .map(w -> dev.keywarden.audit.anomaly.WebhookAlertSink.start(w, java.time.Clock.systemUTC()));
                    String previous = AuditTrail.resetAnchor(audit, secret, chain, cfg.dataDir(), webhook, cfg.anomaly().cooldown());
                    out.printf("chain %s: anchored at record %d in %s (the old anchor was %s); the reset is recorded in the"
                                    + " trail as the alert audit.anchor_reset%s%n", chain, audit.last(chain).orElseThrow().seq(),
                            AuditAnchor.in(cfg.dataDir(), chain).file(), previous,
                            webhook.isPresent() ? " and sent to the alert webhook" : "");
                    return 0;
                }
                for (String c : audit.chains()) {
                    AuditAnchor file = AuditAnchor.in(cfg.dataDir(), c);
                    String state;
                    try {
                        state = file.read().map(a -> "record " + a.seq() + " signed " + a.at()).orElse("none");
                    } catch (UncheckedIOException e) {
                        state = "unreadable";
                    }
                    out.printf("chain %s: anchor %s: %s%n", c, file.file(), state);
                }
                return 0;
            }
        }
    }
}
