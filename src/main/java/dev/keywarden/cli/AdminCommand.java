package dev.keywarden.cli;

import dev.keywarden.admin.AdminTokens;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code keywarden admin}: manage access to the admin API. */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Manage admin API access.",
        subcommands = {AdminCommand.CreateToken.class})
public final class AdminCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code keywarden admin create-token --name NAME}: prints a new admin token once, alone on the last line. */
    @Command(name = "create-token", mixinStandardHelpOptions = true,
            description = "Create an admin API token (printed once; stored only as a keyed hash).")
    static final class CreateToken implements Callable<Integer>, CliContext.Aware {

        @Option(names = "--name", required = true, description = "who or what the token is for")
        String name;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (KEYWARDEN_DATA_DIR; default ./data)")
        Path dataDir;

        @Option(names = "--config", paramLabel = "FILE",
                description = "YAML configuration file, as for serve (default: ./keywarden.yaml when present); with store:"
                        + " postgres the token is stored in the shared PostgreSQL database.")
        Path config;

        private CliContext context = CliContext.process();

        @Override
        public void context(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            KeywardenConfig cfg = CliStore.loadConfig(context, config, dataDir);
            ServerSecret secret = CliStore.serverSecret(cfg);
            try (Database db = CliStore.open(cfg)) {
                String token = new AdminTokens(db, secret).create(name);
                System.err.println("admin token for '" + name + "' (shown once; send it as Authorization: Bearer):");
                System.out.println(token);
            }
            return 0;
        }
    }
}
