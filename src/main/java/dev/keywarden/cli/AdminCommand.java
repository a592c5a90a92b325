package dev.keywarden.cli;

import dev.keywarden.admin.AdminTokens;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
    static final class CreateToken implements Callable<Integer> {

        @Option(names = "--name", required = true, description = "who or what the token is for")
        String name;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            KeywardenConfig cfg = store.loadConfig();
            ServerSecret secret = StoreOptions.serverSecret(cfg);
            try (Database db = Database.open(cfg)) {
                String token = new AdminTokens(db, secret).create(name);
                System.err.println("admin token for '" + name + "' (shown once; send it as Authorization: Bearer):");
                System.out.println(token);
            }
            return 0;
        }
    }
}
